/**
 * SPEC §2 binding routes (a=ssrc, then mid from SDES MID / RTP mid extension declared
 * by a=extmap, then the transport address with a=rtcp-mux). Each test asserts what SPEC §2 asks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, rtp, sdp, sr } from './calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' },
    'apt-v': { type: 'user', export: 'raw', retention: '1h' },
  },
});
const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const midExt = (id: number, mid: string) => [{ id, value: new TextEncoder().encode(mid) }];

/** a BUNDLE description: audio (mid a, apt-a) and video (mid v, apt-v) on one port, rtcp-mux */
const bundle = (addr: string, port: number, session: string[]) =>
  sdp(
    addr,
    [
      [`m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a'],
      [`m=video ${port} RTP/AVP 96`, 'a=mid:v', 'a=rtcp-mux', 'a=aipref:mid apt-v'],
    ],
    ['a=group:BUNDLE a v', ...session],
  );

describe('the RTP mid header extension declared by a session-level a=extmap (RFC 8285 allows session or media level)', () => {
  it('binds the stream to the m-section its mid names (via rtp-mid), as a media-level a=extmap does', async () => {
    const ext = [`a=extmap:3 ${MID_URI}`];
    const r = await replay(ws, [...callSetup({ offer: bundle(A, 4000, ext), answer: bundle(B, 5000, ext) }), rtp(A, B, 4000, 5000, 1111, midExt(3, 'v')), rtcp(A, B, 4000, 5000, [sr(1111)])], POL);
    const row = r.bindings.find((b) => b.ssrc === 1111)!;
    expect({ mid: row.mid, via: row.via, apt: row.apt }).toEqual({ mid: 'v', via: 'rtp-mid', apt: ['apt-v'] });
    expect(r.decisions.map((d) => `${d.frame} ${d.decision} [${d.apt}]`)).toEqual(['5 export [apt-v]']);
  });
});

describe('a=rtcp-mux offered but not in the answer: RTCP is not multiplexed (RFC 5761 §5.1.1), it goes to port+1', () => {
  it("the answerer's RTCP to the offerer's port+1 binds to the call (from a port the SDP does not name)", async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
    // B's RTCP leaves from a NAT-rewritten port: only A's receive address (4001) names the call
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp(B, A, 7777, 4001, [sr(2222)])], POL);
    expect(r.reports.filter((x) => x.type === 'unbound-stream')).toEqual([]);
    const row = r.bindings.find((b) => b.ssrc === 2222)!;
    expect({ via: row.via, apt: row.apt }).toEqual({ via: 'transport', apt: ['apt-a'] });
    expect(r.decisions.map((d) => `${d.decision} [${d.apt}]`)).toEqual(['aggregate [apt-a]']);
  });
});

describe('a=ssrc is the first binding route (SPEC §2)', () => {
  it('an SSRC the SDP declares with a=ssrc is bound to its m-section even when the packets come from addresses the SDP does not name (NAT on both sides)', async () => {
    const offer = sdp('192.168.1.10', [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=ssrc:1111 cname:x', 'a=aipref:mid apt-a']]);
    const answer = sdp('192.168.2.20', [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=ssrc:2222 cname:y']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp('203.0.113.5', '198.51.100.7', 30001, 40001, [sr(1111)])], POL);
    const row = r.bindings.find((b) => b.ssrc === 1111)!;
    expect({ via: row.via, mid: row.mid, apt: row.apt, dialog: row.dialog }).toEqual({
      via: 'a=ssrc',
      mid: 'a',
      apt: ['apt-a'],
      dialog: { callId: 'rb-call@10.0.0.1', fromTag: 'ftag', toTag: 'ttag' },
    });
    expect(r.decisions.map((d) => `${d.decision} [${d.apt}]`)).toEqual(['aggregate [apt-a]']);
  });

  it('RTP from those addresses before the INVITE is unbound; from the offer on, the same flow takes the a=ssrc route (the flow cache forgets it)', async () => {
    const offer = sdp('192.168.1.10', [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=ssrc:1111 cname:x', 'a=aipref:mid apt-a']]);
    const answer = sdp('192.168.2.20', [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=ssrc:2222 cname:y']]);
    // (two in sequence before the INVITE: a source no signaling routes counts from its second, RFC 3550 A.1)
    const early = (seq: number) => rtp('203.0.113.5', '198.51.100.7', 30000, 40000, 1111, undefined, seq);
    const r = await replay(ws, [early(1), early(2), ...callSetup({ offer, answer }), early(3)], POL);
    // RTP only: the bound row can come from the third packet alone, past the flow cache
    const rows = r.bindings.filter((b) => b.ssrc === 1111).map((b) => ({ via: b.via, apt: b.apt, dialog: b.dialog === null ? null : 'call' }));
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(expect.arrayContaining([{ via: null, apt: [], dialog: null }, { via: 'a=ssrc', apt: ['apt-a'], dialog: 'call' }]));
    expect(r.reports.filter((x) => x.type === 'unbound-stream').map((x) => x.frame)).toEqual([2]);
  });

  it('an SSRC two live dialogs both declare routes to neither: the packet stays unbound', async () => {
    const offer = sdp('192.168.1.10', [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=ssrc:1111 cname:x', 'a=aipref:mid apt-a']]);
    const answer = sdp('192.168.2.20', [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
    const other = { callId: 'other@10.0.0.1', fromTag: 'o1', toTag: 'o2' };
    const r = await replay(ws, [...callSetup({ offer, answer }), ...callSetup({ ...other, offer: offer.replace('4000', '6000'), answer: answer.replace('5000', '7000') }), rtcp('203.0.113.5', '198.51.100.7', 30001, 40001, [sr(1111)])], POL);
    expect(r.reports.filter((x) => x.type === 'unbound-stream').map((x) => x.ssrc)).toEqual([1111]);
    expect(r.decisions.map((d) => `${d.decision} ${d.reason}`)).toEqual(['drop no-preference']);
  });
});

describe('BUNDLE (RFC 8843): the offer gives each m-section its own port, the answer puts them on one', () => {
  it("the offerer's BUNDLE address (the audio m-line's port) is used by every bundled m-section: it does not bind a video stream to audio by transport", async () => {
    const offer = sdp(
      A,
      [
        ['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a'],
        ['m=video 4002 RTP/AVP 96', 'a=mid:v', 'a=rtcp-mux', 'a=aipref:mid apt-v'],
      ],
      ['a=group:BUNDLE a v'],
    );
    const answer = bundle(B, 5000, []);
    // B's video SSRC 4444 (no a=ssrc, no mid on the wire) sends its SR to A's BUNDLE address 4000
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp(B, A, 5000, 4000, [sr(4444)])], POL);
    const row = r.bindings.find((b) => b.ssrc === 4444)!;
    // 4000 is the BUNDLE transport of both m-sections: which one the stream is cannot be told from it
    expect(row.via).not.toBe('transport');
    expect(row.apt).not.toEqual(['apt-a']);
  });
});

describe('implicit-binding reports say why the dialog-level values applied (SPEC §6.2)', () => {
  it('a stream bound by a=ssrc to an m-section that names no identifier: its mid, and that the m-section names none', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=ssrc:1111 cname:x']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
    const r = await replay(ws, [...callSetup({ offer, answer, inviteHeaders: ['AI-Pref: apt-a;scope=dialog'] }), rtcp(A, B, 4001, 5001, [sr(1111)])], POL);
    expect(r.reports.filter((x) => x.type === 'implicit-binding').map((x) => ({ mid: x.mid, ssrc: x.ssrc, detail: x.detail }))).toEqual([
      { mid: 'a', ssrc: 1111, detail: 'dialog-level AI-Pref applied: its m-section a names no identifier' },
    ]);
  });
});
