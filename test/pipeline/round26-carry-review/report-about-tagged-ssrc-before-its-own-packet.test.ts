/**
 * Input: SR+SDES{PRIV aipref=apt-none} of SSRC 1111 on A:4001 → B:5001 before any signaling, and
 *   B's SR (SSRC 2222, tagged apt-raw) with a report block about 1111 on B:5001 → A:4001; then
 *   INVITE/200/ACK (a=aipref:session apt-raw, A:4000 / B:5000); then B's SR reporting on 1111
 *   again (frame 6) before 1111 sends anything the dialog routes; then 1111's own SR (frame 7).
 * Was: before signaling B's report about 1111 is dropped (export-none, apt-none: the unbound
 *   session honours 1111's tag), but after it the same report is exported raw under apt-raw
 *   ('6 2222 export raw-allowed apt-raw'): the carry waits for 1111's own first routed packet
 *   (its SSRC at byte 4/8), and the dialog's stream 1111, made as a report subject, has no tag.
 *   (Under apt-agg the same report is folded into an exported aggregate.)
 * Correct: SPEC §2.4 a PRIV aipref item binds that SSRC; §4 an item reporting on another source
 *   is governed by that source's stream too, most restrictive wins; README: the tag "is carried
 *   over". The report about 1111 must be dropped (export-none), nothing exported from frame 6.
 * Fix: src/pipeline/replay-engine.ts media()/carryTags + unbound-tags.ts take(): at the dialog's
 *   first packet between the two addresses, carry every SSRC noted for that address pair (not
 *   only the packet's own SSRC), so a stream the dialog meets as a subject already has its tag.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a tagged SSRC the dialog first meets as the subject of another sender\'s report', () => {
  it('keeps its tag: the report about it is dropped, not exported raw', async () => {
    const o = await replay(ws, 'subject-first', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1
      rtcpPkt(0.5, B, 5001, A, 4001, [srIn(2222, 1111), sdesTag(2222, 'apt-raw')]), // frame 2
      ...rawCall('c1', 1), // frames 3-5
      rtcpPkt(2, B, 5001, A, 4001, [srIn(2222, 1111)]), // frame 6: about 1111, before 1111's own packet
      rtcpPkt(3, A, 4001, B, 5001, [srIn(1111)]), // frame 7
    ]);
    // before signaling, the unbound session honoured 1111's tag in B's report about it
    expect(o.d).toContain('2 2222 drop export-none apt-none');
    const at6 = o.decisions.filter((d) => d.frame === 6);
    expect(at6.map((d) => [d.decision, d.reason])).toEqual([['drop', 'export-none']]);
    // nothing the dialog routes is exported: every item after signaling is about 1111 or from it
    expect(o.exports.filter((e) => e.dialog !== null)).toEqual([]);
  });
});
