/**
 * Found by a review of 40d5492 (windows closed at the record that reached their end), fixed since:
 * closed windows' bounds (and remembered SRs) are let go at the records whose clock outlived them, checked record by record in MediaCore.passTo (WindowStore.forget, nextForget), not at a batch's end.
 *
 * Input: hand-built two-party call (test/e2e/hand-built-calls.ts; windows-review harness),
 *   `a=aipref:session px`, px = {type user, export aggregated-only, retention 1h}, window 10 s,
 *   T = 1767225600. RTCP SRs: A (SSRC 1111) at T+1, B (SSRC 2222) at T+12 and T+80, then the
 *   capture steps back 79 s (under the 15 min jump bound: the clock follows; two interfaces'
 *   captures concatenated, a capture sent twice): A at T+1 again, B at T+12 again. A's second
 *   window has A's first one's bounds [T+1, T+11], closed at the T+12 record both times.
 *   Replayed with workers 0 and 2, default batching (one batch) and maxBatchRecords 1.
 * Was (observed): A's second aggregate carries a different requestId in one batch (made with
 *   the ordinal `repeat` 1: 91cd2a88-…) than with maxBatchRecords 1 (no ordinal: 149b1c3f-…, the
 *   very id of A's first aggregate, of other items): WindowStore.forget — which lets go
 *   of a closed window's bounds 60 s past its end (REPEAT_MEMORY_SEC) — now runs only at a
 *   batch's end (MediaCore.endBatch), once a second of the clock there; the T+80 record forgot
 *   A's first bounds only when a batch ended at it.
 * Correct: 40d5492 / README "Aggregation windows": a window's line does not depend on where the
 *   batches are cut (SPEC §8 determinism; SPEC §4 requestId: the same aggregate, the same id).
 *   Either id may be chosen; both runs must agree (asserted: the one-batch run's).
 * Fix: src/pipeline/media-core.ts passTo / src/enforce/windows.ts: let go of remembered bounds
 *   (and SRs) by the record clocks as passTo walks them (windows.forget(clock) per record, its
 *   once-a-second gate kept), or make closeOpen's repeat test ignore bounds it would have
 *   forgotten (ts − last.end > REPEAT_MEMORY_SEC at the closing clock) so forgetting's timing
 *   is invisible.
 */
import { afterAll, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { writeCall } from '../hand-built-calls.js';
import { AGG, rtcpAt, setup, srOf } from '../windows-review/harness.js';
import { aggregates, replayFour, T0 } from './util.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('a window closed again with bounds seen 79 s of capture before gets one requestId whatever the batch cut', async () => {
  const file = await ws.file('repeat.pcap');
  await writeCall(file, (at) => {
    setup(at, ['a=aipref:session px']);
    rtcpAt(at, 1, true, [srOf(1111)]);
    rtcpAt(at, 12, false, [srOf(2222)]);
    rtcpAt(at, 80, false, [{ ...srOf(2222), packetCount: 11 } as ReturnType<typeof srOf>]);
    rtcpAt(at, 1, true, [{ ...srOf(1111), packetCount: 12 } as ReturnType<typeof srOf>]);
    rtcpAt(at, 12, false, [{ ...srOf(2222), packetCount: 13 } as ReturnType<typeof srOf>]);
  });
  const runs = await replayFour(file, policyOf({ apts: { px: AGG() } }));
  const shape = (k: keyof typeof runs) => aggregates(runs[k]).map((a) => `${a.stream.ssrc} [${a.window.start - T0}, ${a.window.end - T0}] ${a.stats.items} ${a.requestId}`);
  const a = shape('w0').filter((s) => s.startsWith('1111 [1, 11]'));
  expect(a).toHaveLength(2);
  expect(shape('w2')).toEqual(shape('w0'));
  expect(shape('w0b1')).toEqual(shape('w0'));
  expect(shape('w2b1')).toEqual(shape('w0'));
});
