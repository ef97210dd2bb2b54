/**
 * Found by a review of SFU shapes, fixed since: TMMBR (RTPFB fmt 3) and TSTR (PSFB fmt 5) name
 * their media senders in the FCI, decoded and governing the item like FIR's.
 *
 * Input: the SFU call of sfu-call.ts (BUNDLE a v v2 r, 10.0.0.1:4000 ↔ 10.0.0.2:5000). Audio a
 * carries `a=aipref:mid apt-a` (raw, every feature), video r — where the SFU forwards remote
 * participant 7001, `a=ssrc:7001` in its answer — `a=aipref:mid apt-r` (export none). A's audio
 * SSRC 1111 sends codec control messages of RFC 5104 about 7001, each on its own compound after
 * an empty RR of 1111: frame 4 a TMMBR (RTPFB FMT 3: media source SSRC 0, FCI = SSRC 7001 +
 * MxTBR), frame 5 a TSTR (PSFB FMT 5: media source 0, FCI = SSRC 7001, seq, index), frame 6 a
 * FIR (PSFB FMT 4, FCI = SSRC 7001: the control, already governed by its FCI SSRC). tshark 4.0.17
 * decodes the TMMBR as `TMMBR 1 / SSRC: 0x00001b59 (7001)`, media source SSRC 0 (checked by hand).
 *
 * Was: TMMBR and TSTR decisions `4 205 export raw-allowed [apt-a]`, `5 206 export
 * raw-allowed [apt-a]`: only the header's media SSRC (0 = none) is taken as the subject, so the
 * feedback about 7001 is judged by the sender's stream alone and exported raw. The FIR of frame 6
 * is `drop export-none [apt-r]` (its FCI SSRC is read).
 *
 * Correct: SPEC §4: an item that reports on another source — "feedback's media SSRC" — is
 * governed by that source's stream too. For TMMBR/TMMBN (RFC 5104 §4.2.1.2, §4.2.2.2) and
 * TSTR/TSTN/VBCM (§4.3.2.2, §4.3.3.2, §4.3.4.2) the header's "SSRC of media source" is not
 * used (SHALL be 0) and the media sender the message is about is the FCI entry's SSRC — exactly
 * as for FIR (§4.3.1.2), which the enforcer already reads. 7001's apt-r says export none: all
 * three are `drop export-none [apt-r]`.
 *
 * Fix: src/media/rtcp/transport-feedback.ts (decodeTransportFeedback: FMT 3/4, 8-byte FCI
 * entries, SSRC first) and src/media/rtcp/payload-feedback.ts (decodePayloadFeedback: FMT 5/6
 * 8-byte entries, FMT 7 SSRC-first variable entries) decode the FCI SSRCs; then
 * src/enforce/telemetry-items.ts appendItems adds them to subjectSsrcs as it does for `fir`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { callSetup, replay } from '../calls-on-any-address.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { clientOffer, rrP, rtcpX, sfuAnswer } from './sfu-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-r': { type: 'domain', export: 'none', retention: '1h' },
  },
});
/** an 8-byte FCI entry: SSRC, then 4 bytes (TMMBR: exp/mantissa/overhead; TSTR: seq, reserved, index) */
const entry = (ssrc: number, rest: number[]): Uint8Array => new Uint8Array([(ssrc >>> 24) & 255, (ssrc >>> 16) & 255, (ssrc >>> 8) & 255, ssrc & 255, ...rest]);
const tmmbr = { pt: 205, fmt: 3, senderSsrc: 1111, mediaSsrc: 0, fci: entry(7001, [0x04, 0x0f, 0x42, 0x28]) } as unknown as RtcpPacketInput;
const tstr = { pt: 206, fmt: 5, senderSsrc: 1111, mediaSsrc: 0, fci: entry(7001, [1, 0, 0, 5]) } as unknown as RtcpPacketInput;
const fir = { pt: 206, fmt: 4, senderSsrc: 1111, mediaSsrc: 0, fir: [{ ssrc: 7001, seq: 1 }] } as unknown as RtcpPacketInput;

describe('RFC 5104 codec control messages: the FCI SSRC is the subject', () => {
  it('TMMBR and TSTR about a forwarded stream under export=none are dropped like FIR', async () => {
    const pkts = [
      ...callSetup({ offer: clientOffer({ a: ['a=aipref:mid apt-a'], r: ['a=aipref:mid apt-r'] }), answer: sfuAnswer() }),
      rtcpX([rrP(1111, []), tmmbr]), // 4
      rtcpX([rrP(1111, []), tstr]), // 5
      rtcpX([rrP(1111, []), fir]), // 6
    ];
    const r = await replay(ws, pkts, POL);
    const feedback = r.decisions.filter((d) => d.pt === 205 || d.pt === 206).map((d) => `${d.frame} ${d.pt} ${d.decision} ${d.reason} [${d.apt}]`);
    expect(feedback).toEqual(['4 205 drop export-none [apt-r]', '5 206 drop export-none [apt-r]', '6 206 drop export-none [apt-r]']);
  });
});
