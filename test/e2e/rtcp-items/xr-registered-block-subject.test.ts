/**
 * Found by a review of SPEC §4's item decisions, fixed since: an XR block of a type not decoded
 * keeps bytes 4-7 as the SSRC of its source (RFC 6792), which governs it too.
 *
 * Input: the BUNDLE call of items-call.ts (mid a 1111/2222 apt-raw raw; mid v 3333/4444 apt-agg
 * aggregated-only; mid d 5555/6666 apt-none export none). B's stream 2222 sends RR + XR whose blocks
 * are registered XR block types the decoder does not know, each naming its "SSRC of source" in
 * bytes 4–7 as its RFC lays it out:
 *   block 0: BT 23, De-Jitter Buffer Metrics (RFC 7005 §3.1) about 5555 (apt-none)
 *   block 1: BT 14, Measurement Information (RFC 6776 §4.1) about 4444 (apt-agg)
 *
 * Was (decisions.ndjson / exports.ndjson, workers 0 and 2 alike):
 *   {"ssrc":2222,"pt":207,"feature":"rtcp-xr","decision":"export","reason":"raw-allowed","apt":["apt-raw"],"block":0}
 *   {"ssrc":2222,"pt":207,"feature":"rtcp-xr","decision":"export","reason":"raw-allowed","apt":["apt-raw"],"block":1}
 *   {"type":"telemetry",...,"apt":["apt-raw"],"item":{"pt":207,"ssrc":2222,"block":0,"blocks":[{"bt":23,"typeSpecific":192,"length":16,"unknown":true}]}}
 * — XR blocks about a stream whose APT says export=none (and one about an aggregated-only stream)
 * were judged by the sender's APT alone and exported raw.
 *
 * Correct: SPEC §4 — each XR block is governed by the sender and by the source it reports on, the
 * most restrictive applying. Both RFCs put that source's SSRC in bytes 4–7 of the block. So block 0 →
 * drop, export-none, apt [apt-none]; block 1 → aggregate, aggregated-only, apt [apt-raw, apt-agg];
 * neither exported raw. (Where a block's type is truly unknown, its subject cannot be told: the
 * conservative reading of §4 is to judge it as reporting on an unknown source — absent, so drop —
 * rather than as reporting on nobody.)
 *
 * Fix: src/media/rtcp/extended-report.ts decodeXrBlock `default:` keep `ssrc: readU32(b, at + 4)` for
 * registered block types whose layout begins with "SSRC of source" (at least BT 14 RFC 6776, 23 RFC
 * 7005, and the RFC 6792-era metric blocks), and src/enforce/telemetry-items.ts xrBlockSubjects
 * already picks up `ssrc`; for other unknown types, decide as most restrictive (or drop).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from './items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('registered XR blocks the decoder does not know are governed by their SSRC of source', () => {
  it('RFC 7005 and RFC 6776 blocks about none/aggregated-only streams are not exported raw', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.compound(C.RR(2222, []), C.XR(2222, [C.xrDeJitter(5555), C.xrMeasurementInfo(4444)]))));
    const r = await C.replay(ws, p);
    const xr = r.decisions.filter((d) => d.pt === 207).map((d) => ({ block: d.block, decision: d.decision, reason: d.reason, apt: [...d.apt].sort() }));
    expect(xr).toEqual([
      { block: 0, decision: 'drop', reason: 'export-none', apt: ['apt-none'] },
      { block: 1, decision: 'aggregate', reason: 'aggregated-only', apt: ['apt-agg'] },
    ]);
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.item?.pt === 207)).toEqual([]);
  });
});
