/**
 * Found by a review of SPEC §4's item decisions, fixed since: TMMBR/TMMBN FCI entries are
 * decoded (tmmb) and their SSRCs govern the item.
 *
 * Input: a BUNDLE call (rtcp-mux) whose m-sections carry different mid-scoped APTs (items-call.ts):
 * mid a (A 1111 / B 2222) apt-raw (raw); mid v (3333 / 4444) apt-agg (aggregated-only); mid d
 * (5555 / 6666) apt-none (export none). B's stream 2222 sends, in reduced-size compounds (RFC 5506),
 * an RTPFB TMMBR (fmt 3, RFC 5104 §4.2.1) whose FCI names media sender 5555 (apt-none), and one whose FCI
 * names 4444 (apt-agg); A's 1111 sends a TMMBN (fmt 4, §4.2.2) whose FCI names 6666 (apt-none). As RFC
 * 5104 §4.2.1.2/§4.2.2.2 require, the header's "SSRC of media source" is 0: the source the request
 * is about is only in the FCI entry.
 *
 * Was (decisions.ndjson, exports.ndjson, workers 0 and 2 alike; lines excerpted):
 *   {"frame":N,"ssrc":2222,"pt":205,"feature":"feedback","decision":"export","reason":"raw-allowed","apt":["apt-raw"],"fmt":3}
 *   {"type":"telemetry",...,"apt":["apt-raw"],"decision":"export","item":{"pt":205,"fmt":3,"senderSsrc":2222,"mediaSsrc":0}}
 * — feedback about a stream whose APT says export=none left raw, and the TMMBR about the
 * aggregated-only stream was exported raw instead of aggregated; the TMMBN likewise.
 *
 * Correct: SPEC §4 — an item is governed by the stream that sent it and by the source it reports on
 * ("feedback's media SSRC"), the most restrictive applying. For TMMBR/TMMBN the media sender is
 * the FCI entry's SSRC (RFC 5104 §4.2.1.1, §4.2.2.1). So: TMMBR about 5555 → drop, export-none,
 * apt [apt-none]; TMMBR about 4444 → aggregate, aggregated-only, apt [apt-raw, apt-agg]; TMMBN about
 * 6666 → drop, export-none, apt [apt-none]; no raw export of any of them.
 *
 * Fix: src/media/rtcp/transport-feedback.ts decodeTransportFeedback: decode the TMMBR/TMMBN FCI
 * entries (fmt 3 and 4: SSRC, MxTBR exp/mantissa, overhead; 8 bytes each) into e.g. `tmmb: [{ssrc,
 * bitrate, overhead}]`; src/enforce/telemetry-items.ts appendItems (RtcpType.RTPFB): add those
 * SSRCs to subjectSsrcs (as PSFB does for FIR entries and REMB SSRCs). The same holds for PSFB
 * TSTR/TSTN/VBCM (fmt 5–7, RFC 5104 §4.3.2–4.3.4), whose FCI entries carry the SSRC too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from './items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('TMMBR/TMMBN are governed by the media sender their FCI names', () => {
  it('drops or aggregates by the FCI SSRC, never exports raw under the sender alone', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.RTPFB(3, 2222, 0, C.tmmbFci([{ ssrc: 5555, exp: 10, mantissa: 300, overhead: 40 }]))));
    p.push(C.fromB(1.1, C.RTPFB(3, 2222, 0, C.tmmbFci([{ ssrc: 4444, exp: 10, mantissa: 300, overhead: 40 }]))));
    p.push(C.fromA(1.2, C.RTPFB(4, 1111, 0, C.tmmbFci([{ ssrc: 6666, exp: 10, mantissa: 300, overhead: 40 }]))));
    const r = await C.replay(ws, p);
    const fb = r.decisions.filter((d) => d.pt === 205).map((d) => ({ ssrc: d.ssrc, fmt: d.fmt, decision: d.decision, reason: d.reason, apt: [...d.apt].sort() }));
    expect(fb).toEqual([
      { ssrc: 2222, fmt: 3, decision: 'drop', reason: 'export-none', apt: ['apt-none'] },
      { ssrc: 2222, fmt: 3, decision: 'aggregate', reason: 'aggregated-only', apt: ['apt-agg'] },
      { ssrc: 1111, fmt: 4, decision: 'drop', reason: 'export-none', apt: ['apt-none'] },
    ]);
    expect(r.exports.filter((e) => e.type === 'telemetry')).toEqual([]);
  });
});
