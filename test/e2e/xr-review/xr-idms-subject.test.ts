/**
 * Found by a review of RTCP XR end to end, fixed since: a block type the decoder does not read names its source where that type puts it — IDMS (12) at bytes 12–15, XNQ (8) none, the others at 4–7 (src/media/rtcp/extended-report.ts xrSourceOffset; the encoder writes it there too).
 *
 * An RTCP XR Inter-Destination Media Synchronization block (RFC 7272 §7.1, BT 12) names the
 * source it reports on in bytes 12–15 ("SSRC of media source"), not in bytes 4–7: those hold its
 * payload type and a reserved field (PT | 0 | 0 | 0). The decoder keeps any undecoded block's
 * bytes 4–7 as its `ssrc` (RFC 6792's common layout), so an IDMS block is judged as reporting on
 * "SSRC" PT<<24 — 0 for PCMU, which counts as "none" — and the stream it really reports on never
 * governs it.
 *
 * Input: the BUNDLE call of ../rtcp-items/items-call.ts (mid a 1111/2222 apt-raw raw; mid v
 * 3333/4444 apt-agg aggregated-only; mid d 5555/6666 apt-none export none). A's stream 1111 sends
 * RR + XR holding two IDMS blocks (SPST 1, MSCI, packet received NTP/RTP, presented NTP):
 *   block 0: PT 0  (PCMU), SSRC of media source 6666 (apt-none)
 *   block 1: PT 96 (VP8),  SSRC of media source 4444 (apt-agg)
 * tshark 4.x (`-d udp.port==4000,rtcp -O rtcp`) decodes both: "Inter-destination Media
 * Synchronization Block (12) … Payload Type: 0 … Source SSRC: 6666".
 *
 * Was (decisions, workers 0 and 2 alike):
 *   {"ssrc":1111,"pt":207,"feature":"rtcp-xr","decision":"export","reason":"raw-allowed","apt":["apt-raw"],"block":0}
 *   {"ssrc":1111,"pt":207,"feature":"rtcp-xr","decision":"drop","reason":"no-preference","apt":[],"block":1}
 * and exports.ndjson carries block 0 raw: {"bt":12,"typeSpecific":16,"length":32,"unknown":true,"ssrc":0}
 * — telemetry about a stream whose APT says export=none leaves raw under the sender's APT, and
 * the block about the aggregated-only stream is judged against a source (0x60000000) that does
 * not exist.
 *
 * Correct: SPEC §4 — an XR block is governed by the sender's stream and by the stream of the
 * source it reports on, the most restrictive applying; for BT 12 that source is the "SSRC of
 * media source" word at bytes 12–15 (RFC 7272 §7.1; tshark's rtcp.xr.idms.source_ssrc). Block 0
 * → drop, export-none, apt [apt-none]; block 1 → aggregate, aggregated-only, apt [apt-agg];
 * nothing exported raw.
 *
 * Fix: src/media/rtcp/extended-report.ts decodeXrBlock `default:` — for bt 12 with a block of at
 * least 16 bytes take `ssrc: readU32(b, at + 12)` instead of bytes 4–7 (ideally a table of
 * registered block types → offset of their SSRC of source, everything else judged most
 * restrictively); telemetry-items.ts xrBlockSubjects then picks it up unchanged.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
/** RFC 7272 §7.1: BT=12 | SPST(4) resv(3) P(1) | block length 7; PT | reserved(24); MSCI; SSRC of media source; received NTP (2 words); received RTP ts; presented NTP. */
const idms = (pt: number, source: number): number[] => [12, 0x10, 0, 7, pt, 0, 0, 0, ...u32(0xabcdef01), ...u32(source), ...u32(C.NTP_SEC), ...u32(0x80000000), ...u32(160000), ...u32(0x12345678)];

describe('XR IDMS block (RFC 7272, BT 12) is governed by its SSRC of media source', () => {
  it('blocks about none / aggregated-only streams are not exported raw', async () => {
    const p = C.callWithMedia();
    p.push(C.fromA(1, C.compound(C.RR(1111, []), C.XR(1111, [idms(0, 6666), idms(96, 4444)]))));
    const r = await C.replay(ws, p);
    const xr = r.decisions.filter((d) => d.pt === 207).map((d) => ({ block: d.block, decision: d.decision, reason: d.reason, apt: [...d.apt].sort() }));
    expect(xr).toEqual([
      { block: 0, decision: 'drop', reason: 'export-none', apt: ['apt-none'] },
      { block: 1, decision: 'aggregate', reason: 'aggregated-only', apt: ['apt-agg'] },
    ]);
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.item?.pt === 207)).toEqual([]);
  });
});
