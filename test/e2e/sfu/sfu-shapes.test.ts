/**
 * Checks of the SFU / WebRTC-gateway shapes that turned out FINE (kept as regression tests).
 * Input for all: a WebRTC client A (10.0.0.1:4000) and an SFU B (10.0.0.2:5000), one BUNDLE
 * transport (a v v2 r) with rtcp-mux and `a=extmap-allow-mixed`, RTP/AVPF (a relay's decrypted
 * copy), built in sfu-call.ts; each replay runs with 0 and 2 media workers and the helper checks
 * both give the same exports, reports and decisions.
 *
 * - Binding (bindings --json `via`, RFC 8843 §9.2, RFC 8851/8853, RFC 4588, RFC 5576):
 *   simulcast layers with no a=ssrc (rids h/l in the mid extension, RID/RRID extensions beside
 *   it) → `rtp-mid` to v; the RTX of layer h (repaired-rtp-stream-id + mid) → v, as its primary;
 *   RTX (`a=ssrc-group:FID 3333 3334`) and FEC (`FEC-FR 3333 3335`) declared with a=ssrc → v2
 *   `a=ssrc`, and their SRs are governed by v2's identifiers; the SFU's many remote participants
 *   in r by a=ssrc; one known only by the mid extension (`rtp-mid`), one only by SDES MID in the
 *   RTCP compound that first names it, before any RTP (`sdes-mid`, decided by r at once).
 * - A report block about a remote participant forwarded in r (`export none`) from A's audio
 *   (`raw`): dropped `export-none [apt-r]`; about the SFU's audio SSRC: exported raw (SPEC §4).
 * - SDES MID (12), RtpStreamId (13), RepairedRtpStreamId (14) never reach an export: A's raw SDES
 *   export holds only CNAME and NAME (SPEC §4 binding metadata). inspect --json of the same
 *   items, the REMB SSRC list and the two-byte (0x1000) extension elements agree with tshark
 *   4.0.17 (checked by hand: SDES types 12/13/14 as "Unknown (12..14)" with their text).
 * - RFC 8285 two-byte form: the mid at id 17 (`a=extmap:17`, only expressible in the two-byte
 *   form, with extmap-allow-mixed) binds; `a=extmap:4/sendrecv` direction form too.
 * - `a=aipref:group` inside m-section a reaches every m-section of the BUNDLE group; mid-scope
 *   lines on some m-sections only add to it (v: group + mid → aggregated; r: → none; v2: group only → raw).
 * - SDES MID naming another m-section later moves the SSRC (the RTP extension does not: see
 *   rtp-mid-change.test.ts).
 * - The answer rejects v2 (port 0 without a=bundle-only, v2 left out of its BUNDLE group, RFC 8843
 *   §7.3.3): v2's RTX stream's SR is dropped `stream-disabled`.
 * - A re-INVITE changes A's audio SSRC 1111 → 1112 on the same m-section: 1112's SR, arriving
 *   before any RTP of it, is bound `a=ssrc` to a and governed by apt-a.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, callSetup, type Pkt, replay, sipMsg } from '../calls-on-any-address.js';
import { clientOffer, MID_EXT, POL, rrP, rtcpX, rtpX, sdesP, sfuAnswer, srP } from './sfu-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const rows = (r: Awaited<ReturnType<typeof replay>>) => r.bindings.map((b) => `${b.ssrc} ${b.mid} ${b.via} [${b.apt}]`).sort();
const decided = (r: Awaited<ReturnType<typeof replay>>) => r.decisions.map((d) => `${d.frame} ${d.ssrc} ${d.pt} ${d.decision} ${d.reason} [${d.apt}]`);

function reInvite(offer: string, answer: string, cseq: number): Pkt[] {
  const via = `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-re${cseq}`;
  const head = (start: string, method: string) => [start, via, `From: <sip:a@${A}>;tag=ftag`, `To: <sip:b@${B}>;tag=ttag`, 'Call-ID: rb-call@10.0.0.1', `CSeq: ${cseq} ${method}`];
  return [
    { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(head('INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE'), offer) },
    { src: B, dst: A, sport: 5060, dport: 5060, payload: sipMsg(head('SIP/2.0 200 OK', 'INVITE'), answer) },
    { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(head('ACK sip:b@10.0.0.2 SIP/2.0', 'ACK'), null) },
  ];
}

describe('fine: SFU shapes', () => {
  it('simulcast, RTX, FEC and forwarded participants bind to the right m-section; report blocks and SDES', async () => {
    const offer = clientOffer({ a: ['a=aipref:mid apt-a'], v: ['a=aipref:mid apt-v'], v2: ['a=aipref:mid apt-a'], r: ['a=aipref:mid apt-r'] });
    const pkts = [
      ...callSetup({ offer, answer: sfuAnswer() }),
      rtpX(1111, [{ id: 4, v: 'a' }], 1, 111), // 4
      rtpX(2001, [{ id: 4, v: 'v' }, { id: 10, v: 'h' }]), // 5
      rtpX(2002, [{ id: 4, v: 'v' }, { id: 10, v: 'l' }]), // 6
      rtpX(2011, [{ id: 4, v: 'v' }, { id: 11, v: 'h' }], 1, 97), // 7
      rtpX(3333, [], 1, 98), // 8
      rtpX(7101, [{ id: 4, v: 'r' }], 1, 96, 'B'), // 9
      rtcpX([srP(3334)]), // 10 RTX SR
      rtcpX([srP(3335)]), // 11 FEC SR
      rtcpX([srP(2011), sdesP([{ ssrc: 2011, items: [{ type: 1, text: 'alice' }, { type: 12, text: 'v' }, { type: 14, text: 'h' }] }])]), // 12
      rtcpX([srP(1111), sdesP([{ ssrc: 1111, items: [{ type: 1, text: 'alice' }, { type: 12, text: 'a' }, { type: 13, text: 'x' }, { type: 14, text: 'y' }, { type: 2, text: 'Alice' }] }])]), // 13
      rtcpX([rrP(1111, [7001])]), // 14
      rtcpX([rrP(1111, [9001])]), // 15
      rtcpX([srP(7102), sdesP([{ ssrc: 7102, items: [{ type: 1, text: 'x' }, { type: 12, text: 'r' }] }])], 'B'), // 16
    ];
    const r = await replay(ws, pkts, POL);
    expect(rows(r)).toEqual(
      [
        '1111 a a=ssrc [apt-a]',
        '2001 v rtp-mid [apt-v]',
        '2002 v rtp-mid [apt-v]',
        '2011 v rtp-mid [apt-v]',
        '3333 v2 a=ssrc [apt-a]',
        '3334 v2 a=ssrc [apt-a]',
        '3335 v2 a=ssrc [apt-a]',
        '7001 r a=ssrc [apt-r]',
        '7101 r rtp-mid [apt-r]',
        '7102 r sdes-mid [apt-r]',
        '9001 a a=ssrc [apt-a]',
      ].sort(),
    );
    expect(decided(r)).toEqual([
      '10 3334 200 export raw-allowed [apt-a]',
      '11 3335 200 export raw-allowed [apt-a]',
      '12 2011 200 aggregate aggregated-only [apt-v]',
      '12 2011 202 aggregate aggregated-only [apt-v]',
      '13 1111 200 export raw-allowed [apt-a]',
      '13 1111 202 export raw-allowed [apt-a]',
      '14 1111 201 drop export-none [apt-r]',
      '15 1111 201 export raw-allowed [apt-a]',
      '16 7102 200 drop export-none [apt-r]',
      '16 7102 202 drop export-none [apt-r]',
    ]);
    const sdes = r.exports.find((e) => e.type === 'telemetry' && (e as unknown as { item: { pt: number } }).item.pt === 202) as unknown as { item: unknown };
    expect(sdes.item).toEqual({ pt: 202, ssrc: 1111, chunks: [{ ssrc: 1111, items: [{ type: 1, text: 'alice' }, { type: 2, text: 'Alice' }] }] });
    expect(JSON.stringify(r.exports)).not.toMatch(/"type":1[234]\b/);
  });

  it('two-byte mid id 17, extmap direction form, group scope plus mid scopes', async () => {
    const id17 = (s: string) => s.replaceAll(`a=extmap:4 ${MID_EXT}`, `a=extmap:17 ${MID_EXT}`);
    const offer = id17(clientOffer({ a: ['a=aipref:group apt-g'], v: ['a=aipref:mid apt-v'], r: ['a=aipref:mid apt-r'] })).replace(`a=extmap:17 ${MID_EXT}\r\na=ssrc:1111`, `a=extmap:4/sendrecv ${MID_EXT}\r\na=ssrc:1111`);
    const answer = id17(sfuAnswer()).replace(`a=extmap:17 ${MID_EXT}\r\na=ssrc:9001`, `a=extmap:4/sendrecv ${MID_EXT}\r\na=ssrc:9001`);
    const pkts = [
      ...callSetup({ offer, answer }),
      rtpX(2001, [{ id: 17, v: 'v' }]), // 4
      rtpX(2002, [{ id: 17, v: 'r' }]), // 5
      rtpX(2003, [{ id: 17, v: 'v2' }]), // 6
      rtpX(2004, [{ id: 4, v: 'a' }]), // 7: one-byte form, id 4 of a
      rtcpX([srP(2001)]),
      rtcpX([srP(2002)]),
      rtcpX([srP(2003)]),
      rtcpX([srP(2004)]),
    ];
    const r = await replay(ws, pkts, POL);
    expect(rows(r)).toEqual(['2001 v rtp-mid [apt-g,apt-v]', '2002 r rtp-mid [apt-g,apt-r]', '2003 v2 rtp-mid [apt-g]', '2004 a rtp-mid [apt-g]']);
    expect(decided(r)).toEqual(['8 2001 200 aggregate aggregated-only [apt-g,apt-v]', '9 2002 200 drop export-none [apt-r]', '10 2003 200 export raw-allowed [apt-g]', '11 2004 200 export raw-allowed [apt-g]']);
  });

  it('SDES MID naming another m-section later moves the SSRC', async () => {
    const offer = clientOffer({ v: ['a=aipref:mid apt-v'], r: ['a=aipref:mid apt-r'] });
    const pkts = [
      ...callSetup({ offer, answer: sfuAnswer() }),
      rtcpX([srP(2001), sdesP([{ ssrc: 2001, items: [{ type: 12, text: 'v' }] }])]), // 4
      rtcpX([srP(2001), sdesP([{ ssrc: 2001, items: [{ type: 12, text: 'r' }] }])]), // 5
    ];
    const r = await replay(ws, pkts, POL);
    expect(decided(r)).toEqual(['4 2001 200 aggregate aggregated-only [apt-v]', '5 2001 200 drop export-none [apt-r]']);
    expect(rows(r)).toEqual(['2001 r sdes-mid [apt-r]']);
  });

  it('an answer rejecting v2 (port 0, no bundle-only, out of the group) stops its RTX stream', async () => {
    const offer = clientOffer({ a: ['a=aipref:mid apt-a'], v2: ['a=aipref:mid apt-a'] });
    const answer = sfuAnswer()
      .replace('m=video 5000 RTP/AVPF 98 99 100', 'm=video 0 RTP/AVPF 98 99 100')
      .replace('a=group:BUNDLE a v v2 r', 'a=group:BUNDLE a v r');
    const pkts = [...callSetup({ offer, answer }), rtcpX([srP(3334)]), rtcpX([srP(1111)])];
    const r = await replay(ws, pkts, POL);
    expect(decided(r)).toEqual(['4 3334 200 drop stream-disabled []', '5 1111 200 export raw-allowed [apt-a]']);
  });

  it('a re-INVITE changing the audio SSRC binds the new one by a=ssrc before its first RTP', async () => {
    const offer = clientOffer({ a: ['a=aipref:mid apt-a'] });
    const answer = sfuAnswer();
    const offer2 = offer.replace(/a=ssrc:1111/g, 'a=ssrc:1112').replace('o=u 1 1', 'o=u 1 2');
    const pkts = [...callSetup({ offer, answer }), rtcpX([srP(1111)]), ...reInvite(offer2, answer.replace('o=u 1 1', 'o=u 1 2'), 2), rtcpX([srP(1112)])];
    const r = await replay(ws, pkts, POL);
    expect(decided(r)).toEqual(['4 1111 200 export raw-allowed [apt-a]', '8 1112 200 export raw-allowed [apt-a]']);
    expect(rows(r).filter((x) => x.startsWith('1112'))).toEqual(['1112 a a=ssrc [apt-a]']);
  });
});
