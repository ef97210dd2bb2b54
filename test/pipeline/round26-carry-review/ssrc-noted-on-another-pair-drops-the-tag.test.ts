/**
 * Input: SR+SDES{PRIV aipref=apt-none} of SSRC 1111 on A:4001 → B:5001 before any signaling;
 *   then an unrelated stray SR+SDES{PRIV aipref=apt-raw} of the same SSRC 1111 between two other
 *   hosts (10.0.0.7:4001 → 10.0.0.8:5001: a gateway with a fixed SSRC, or a collision); a plain
 *   SR of 1111 on A→B again (frame 3); then INVITE/200/ACK (a=aipref:session apt-raw,
 *   A:4000 / B:5000); then a plain SR of 1111 on A→B (frame 7).
 * Was: the unbound A–B session still honours apt-none at frame 3, but UnboundTags keys its notes
 *   by SSRC alone and the other pair's note replaced A–B's ("the latest stands"): at frame 7
 *   take() finds another pair's note, nothing is carried, the SR is exported raw under apt-raw.
 * Correct: SPEC §2.4 (a tag binds its SSRC; never relaxes signaling); README: the main thread
 *   notes tags "by SSRC and the two addresses": the A–B stream's apt-none is carried, frame 7 is
 *   dropped (export-none), and nothing of c1 is exported.
 * Fix: src/pipeline/unbound-tags.ts: key the notes by SSRC and address pair (`${ssrc} ${pair}`),
 *   take() looking up the routed packet's own pair, instead of one note per SSRC.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('the same SSRC tagged unbound between two pairs of hosts', () => {
  it("keeps each pair's tag: the A–B dialog gets A–B's apt-none", async () => {
    const o = await replay(ws, 'ssrc-two-pairs', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1
      rtcpPkt(0.5, '10.0.0.7', 4001, '10.0.0.8', 5001, [srIn(1111), sdesTag(1111, 'apt-raw')]), // frame 2
      rtcpPkt(0.7, A, 4001, B, 5001, [srIn(1111)]), // frame 3
      ...rawCall('c1', 1), // frames 4-6
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // frame 7
    ]);
    // the A–B unbound stream still honours apt-none after the other pair's note
    expect(o.d).toContain('3 1111 drop export-none apt-none');
    const at7 = o.decisions.filter((d) => d.frame === 7);
    expect(at7.map((d) => [d.decision, d.reason])).toEqual([['drop', 'export-none']]);
    expect(o.exports.filter((e) => e.dialog !== null)).toEqual([]);
  });
});
