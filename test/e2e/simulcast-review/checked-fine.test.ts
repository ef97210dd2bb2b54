/**
 * Checks of the simulcast / repair-stream / RTCP-transport review that came out FINE. Each replay
 * runs with --workers 0 and 2 in process (calls-on-any-address.ts `replay` checks both give the
 * same exports, reports and decisions).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 30_000 });
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, rtp, sdp, sr } from '../calls-on-any-address.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { clientOffer, rrP, rtcpX, rtpX, sdesP, sfuAnswer, srP } from '../sfu/sfu-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-v': { type: 'domain', export: 'none', retention: '1h' },
    'apt-s': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-n': { type: 'user', export: 'none', retention: '1h' },
  },
});
type R = Awaited<ReturnType<typeof replay>>;
const rows = (r: R) => r.bindings.map((b) => `${b.ssrc} ${b.mid} ${b.via} [${b.apt}]`).sort();
const decided = (r: R) => r.decisions.map((d) => `${d.frame} ${d.ssrc} ${d.pt}${d.block !== undefined ? `/${d.block}` : ''} ${d.decision} ${d.reason} [${d.apt}]`);

describe('RTCP transports outside BUNDLE', () => {
  // RFC 5761 §5.1.1: a=rtcp-mux offered but not answered → RTCP on port+1 of each m-section;
  // each m-section's RTCP (and the report blocks' subjects, bound by that transport) governed by
  // its own a=aipref (audio raw, video none).
  it('offer rtcp-mux, answer without: port+1 per m-section, each under its own APT', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a'], ['m=video 4002 RTP/AVP 96', 'a=mid:v', 'a=rtcp-mux', 'a=aipref:mid apt-v']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a'], ['m=video 5002 RTP/AVP 96', 'a=mid:v']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp(B, A, 5001, 4001, [sr(11, [{ ssrc: 21 }])]), rtcp(B, A, 5003, 4003, [sr(12, [{ ssrc: 22 }])])], POL);
    expect(rows(r)).toEqual(['11 a transport [apt-a]', '12 v transport [apt-v]', '21 a transport [apt-a]', '22 v transport [apt-v]']);
    expect(decided(r)).toEqual(['4 11 200 export raw-allowed [apt-a]', '5 12 200 drop export-none [apt-v]']);
  });

  // RFC 8858 a=rtcp-mux-only + a=rtcp-mux answered: RTCP on the RTP port binds; port+1 is no
  // transport of the call (unbound, no-preference); a=rtcp naming the RTP port with mux too.
  it('rtcp-mux-only answered with rtcp-mux: RTCP on the RTP port, nothing on port+1', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=rtcp-mux-only', 'a=aipref:mid apt-a'], ['m=video 4002 RTP/AVP 96', 'a=mid:v', 'a=rtcp:4002', 'a=rtcp-mux', 'a=aipref:mid apt-v']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux'], ['m=video 5002 RTP/AVP 96', 'a=mid:v', 'a=rtcp-mux']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp(B, A, 5000, 4000, [sr(11)]), rtcp(B, A, 5002, 4002, [sr(12)]), rtcp(B, A, 5001, 4001, [sr(13)])], POL);
    expect(decided(r)).toEqual(['4 11 200 export raw-allowed [apt-a]', '5 12 200 drop export-none [apt-v]', '6 13 200 drop no-preference []']);
  });

  // Control for rejected-bundled-mline-holds-shared-address: the same call with no second
  // m-section binds B's unsignaled audio stream by transport to a (user none beats session raw).
  it('BUNDLE of audio alone: an unsignaled stream on the address binds by transport', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-n']], ['a=group:BUNDLE a', 'a=aipref:session apt-s']);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux']], ['a=group:BUNDLE a']);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtp(B, A, 5000, 4000, 12), rtp(B, A, 5000, 4000, 12, undefined, 2), rtcp(B, A, 5000, 4000, [sr(12)])], POL);
    expect(rows(r)).toEqual(['12 a transport [apt-s,apt-n]']);
    expect(decided(r)).toEqual(['6 12 200 drop export-none [apt-n]']);
  });
});

describe('BUNDLE with simulcast layers known only by their mid extension', () => {
  // SPEC §4 per item: an SDES packet with chunks of a (raw) and of v's layer 2001 (none) is
  // dropped whole (no CNAME of 2001 leaks beside 1111's); an XR DLRR block whose sub-blocks name
  // 1111 and 2001 is dropped, the RRTR block beside it (no source) exported under a; a
  // receive-only sender SSRC 1 (Chrome's, tied to the dialog only) gets the session-level APT
  // and its NACK about the SFU's audio is exported raw under apt-s + apt-a; the layer's own SR
  // is dropped; REMB, PLI and NACK about layer 2001 from the SFU's audio SSRC are dropped.
  it('SDES chunks, XR DLRR sub-blocks, a receive-only sender, feedback about a layer', async () => {
    const offer = clientOffer({ session: ['a=aipref:session apt-s'], a: ['a=aipref:mid apt-a'], v: ['a=aipref:mid apt-v'] });
    const fb = (p: object) => p as unknown as RtcpPacketInput;
    const pkts = [
      ...callSetup({ offer, answer: sfuAnswer() }),
      rtpX(1111, [{ id: 4, v: 'a' }], 1, 111), // 4
      rtpX(2001, [{ id: 4, v: 'v' }, { id: 10, v: 'h' }]), // 5
      rtcpX([srP(1111), sdesP([{ ssrc: 1111, items: [{ type: 1, text: 'alice' }] }, { ssrc: 2001, items: [{ type: 1, text: 'alice' }] }])]), // 6
      rtcpX([rrP(9001, []), fb({ pt: 207, ssrc: 9001, blocks: [{ bt: 5, subBlocks: [{ ssrc: 1111, lrr: 1, dlrr: 2 }, { ssrc: 2001, lrr: 1, dlrr: 2 }] }, { bt: 4, ntpSec: 1, ntpFrac: 2 }] })], 'B'), // 7
      rtcpX([rrP(1, [9001]), fb({ pt: 205, fmt: 1, senderSsrc: 1, mediaSsrc: 9001, nacks: [{ pid: 1, blp: 0 }] })]), // 8
      rtcpX([srP(2001)]), // 9
      rtcpX([rrP(9001, []), fb({ pt: 206, fmt: 15, senderSsrc: 9001, mediaSsrc: 0, remb: { bitrate: 100000, ssrcs: [2001] } }), fb({ pt: 206, fmt: 1, senderSsrc: 9001, mediaSsrc: 2001 }), fb({ pt: 205, fmt: 1, senderSsrc: 9001, mediaSsrc: 2001, nacks: [{ pid: 1, blp: 0 }] })], 'B'), // 10
    ];
    const r = await replay(ws, pkts, POL);
    expect(rows(r)).toEqual(['1 null dialog [apt-s]', '1111 a a=ssrc [apt-s,apt-a]', '2001 v rtp-mid [apt-s,apt-v]', '9001 a a=ssrc [apt-s,apt-a]']);
    expect(decided(r)).toEqual([
      '6 1111 200 export raw-allowed [apt-s,apt-a]',
      '6 1111 202 drop export-none [apt-v]',
      '7 9001 201 export raw-allowed [apt-s,apt-a]',
      '7 9001 207/0 drop export-none [apt-v]',
      '7 9001 207/1 export raw-allowed [apt-s,apt-a]',
      '8 1 201 export raw-allowed [apt-s,apt-a]',
      '8 1 205 export raw-allowed [apt-s,apt-a]',
      '9 2001 200 drop export-none [apt-v]',
      '10 9001 201 export raw-allowed [apt-s,apt-a]',
      '10 9001 206 drop export-none [apt-v]',
      '10 9001 206 drop export-none [apt-v]',
      '10 9001 205 drop export-none [apt-v]',
    ]);
    expect(JSON.stringify(r.exports)).not.toContain('2001');
  });
});
