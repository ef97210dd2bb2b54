/**
 * Found by a review of RTCP feedback, fixed since: RFC 8888 congestion control feedback (RTPFB fmt 11) is decoded down to its report blocks, each stream it reports on governing it (src/media/rtcp/transport-feedback.ts decodeCcfb; src/enforce/telemetry-items.ts).
 */
// Input: the BUNDLE call of test/e2e/rtcp-items/items-call.ts (mid a 1111/2222 apt-raw raw; mid v
//   3333/4444 apt-agg aggregated-only; mid d 5555/6666 apt-none export=none). B's 2222 sends an RTCP
//   Congestion Control Feedback (RFC 8888 §3.1: RTPFB PT 205, FMT 11 "CCFB", as libwebrtc's
//   rtcp_packet/congestion_control_feedback.cc writes it) with one report block per RTP stream:
//   first about 1111 (apt-raw), then about 5555 (apt-none) — or, second case, about 4444 (apt-agg).
// Was: FMT 11 is not decoded; the word at offset 8 (the 1st stream's SSRC, 1111) is taken as the
//   "media SSRC" and is the only subject, so decisions.ndjson says
//   {"ssrc":2222,"pt":205,"fmt":11,"decision":"export","reason":"raw-allowed","apt":["apt-raw"]}
//   and exports.ndjson carries a raw telemetry line for feedback about the export=none stream 5555
//   (and, in the second case, raw instead of aggregated for the aggregated-only stream 4444).
// Correct: SPEC §4 — an item is governed by the sender's stream and by every source it reports on
//   ("feedback's media SSRC"), the most restrictive applying; an RFC 8888 packet reports on each
//   stream named by its report blocks (RFC 8888 §3.1 "SSRC of nth RTP Stream"). So: drop
//   export-none [apt-none]; second case aggregate aggregated-only [apt-agg]; no raw export.
// Fix: src/media/rtcp/transport-feedback.ts decodeTransportFeedback — decode FMT 11 (walk the
//   per-SSRC blocks: SSRC, begin_seq, num_reports, num_reports×16 bits padded to 32, final Report
//   Timestamp) into e.g. `ccfb: [{ssrc, beginSeq, numReports}]`; src/enforce/telemetry-items.ts
//   appendItems (RtcpType.RTPFB) — add those SSRCs to subjectSsrcs as for tmmb. (Also count FMT 11
//   in windows.ts if it should not be `other`.)
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import * as C from '../../e2e/rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** RFC 8888 §3.1 body after the sender SSRC: per stream SSRC, begin_seq, num_reports, metric blocks (R|ECN|ATO), 32-bit pad; Report Timestamp. */
function ccfbBody(streams: { ssrc: number; beginSeq: number; received: number[] }[], reportTs: number): number[] {
  const out: number[] = [];
  const u16 = (v: number) => out.push((v >>> 8) & 0xff, v & 0xff);
  const u32 = (v: number) => (u16(v >>> 16), u16(v & 0xffff));
  for (const s of streams) {
    u32(s.ssrc);
    u16(s.beginSeq);
    u16(s.received.length);
    for (const ato of s.received) u16(0x8000 | (ato & 0x1fff));
    if (s.received.length % 2 !== 0) u16(0);
  }
  u32(reportTs);
  return out;
}

/** An RTPFB FMT 11 packet: the 1st stream's SSRC sits where other FMTs have the media SSRC. */
function ccfb(sender: number, streams: { ssrc: number; beginSeq: number; received: number[] }[]): Uint8Array {
  const body = ccfbBody(streams, 0x12345678);
  return C.RTPFB(11, sender, body.slice(0, 4).reduce((a, b) => a * 256 + b, 0), body.slice(4));
}

describe('RFC 8888 congestion control feedback is governed by every stream it reports on', () => {
  it('a CCFB whose second report block is about the export=none stream is dropped, not exported raw', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, ccfb(2222, [{ ssrc: 1111, beginSeq: 100, received: [10, 20] }, { ssrc: 5555, beginSeq: 100, received: [30] }])));
    const r = await C.replay(ws, p);
    const fb = r.decisions.filter((d) => d.pt === 205).map((d) => ({ ssrc: d.ssrc, fmt: d.fmt, decision: d.decision, reason: d.reason, apt: [...d.apt].sort() }));
    expect(fb).toEqual([{ ssrc: 2222, fmt: 11, decision: 'drop', reason: 'export-none', apt: ['apt-none'] }]);
    expect(r.exports.filter((e) => e.type === 'telemetry')).toEqual([]);
  });

  it('a CCFB whose second report block is about the aggregated-only stream is aggregated', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, ccfb(2222, [{ ssrc: 1111, beginSeq: 100, received: [10, 20] }, { ssrc: 4444, beginSeq: 200, received: [30] }])));
    const r = await C.replay(ws, p);
    const fb = r.decisions.filter((d) => d.pt === 205).map((d) => ({ decision: d.decision, reason: d.reason }));
    expect(fb).toEqual([{ decision: 'aggregate', reason: 'aggregated-only' }]);
    expect(r.exports.filter((e) => e.type === 'telemetry')).toEqual([]);
  });
});
