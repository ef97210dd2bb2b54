/**
 * Found by a review of aggregate windows (a known limit until then), fixed since: windows close
 * on time just before the first record whose capture clock reached their end, whichever shard
 * that record went to, not at a batch's end (src/pipeline/media-core.ts passTo, beginBatch; replay-engine.ts CaptureClock.through, beginBatch). The shape chosen:
 * B's SR at T+12 ends A's window [T+1, T+11); A's SR stamped T+10.5 after it opens one of its own,
 * whatever the batch cut.
 *
 * A window's contents depend on where the capture's batches are cut when capture time steps
 * back a little (1.5 s: two interfaces merged, a reordered mirror).
 *
 * Input: hand-built two-party call (test/e2e/hand-built-calls.ts), `a=aipref:session px`, px =
 * {type user, export aggregated-only, retention 1h}, window 10 s. RTCP SRs (T = 1767225600):
 * A (SSRC 1111) at T+1; B (SSRC 2222) at T+12; A at T+10.5 (stamped before the previous record);
 * B at T+13. Replayed in-process with workers 0, once with the default batching (one batch) and
 * once with maxBatchRecords 1 (a batch per record; the same happens wherever the reader's chunk
 * happens to end right after the T+12 record).
 *
 * Was (per aggregate: [ssrc, window.start − T, window.end − T, items]):
 *   one batch:          [[1111,1,11,2],[2222,12,13,2]]
 *   maxBatchRecords 1:  [[1111,1,11,1],[1111,10.5,13,1],[2222,12,13,2]]
 * In one batch the T+10.5 SR is folded into A's window [T+1, T+11) (WindowStore.add: not due at
 * 10.5, not before the start); cut after T+12, the batch end closed that window
 * (MediaCore.endBatch → closeDue(T+12)) and the same SR opens a window of its own.
 * Correct: SPEC §8 "Results are identical whatever --workers is" — and the project holds batch
 *   cuts to the same rule (README: determinism "across worker counts and batch cuts"; the
 *   "Capture time that jumps" paragraph: the windows' contents must not depend on where batches
 *   were cut). Both runs must give the same aggregates (whichever of the two the project picks;
 *   here the one-batch result is asserted, the item lying inside [T+1, T+11)).
 * Fix: src/enforce/windows.ts WindowStore.add / src/pipeline/media-core.ts: decide a window's
 *   end by the same clock in both places — e.g. judge dueReason in add against the capture clock
 *   (running max of record times, handed with each record as endBatch's lastTs is) rather than the
 *   item's own time, so an item stamped back after the window's end has passed closes it
 *   whatever the cut; or keep closed-on-time windows until the clock is past end plus a reorder
 *   allowance.
 */
import { afterAll, expect, it } from 'vitest';
import { parseLines, policyOf, replayLines, Workspace } from '../e2e-helpers.js';
import { writeCall } from '../hand-built-calls.js';
import { AGG, rtcpAt, setup, srOf, T0 } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('an SR stamped 1.5 s back lands in the same window whatever the batch cut', async () => {
  const file = await ws.file('backstep.pcap');
  await writeCall(file, (at) => {
    setup(at, ['a=aipref:session px']);
    rtcpAt(at, 1, true, [srOf(1111)]);
    rtcpAt(at, 12, false, [srOf(2222)]);
    rtcpAt(at, 10.5, true, [srOf(1111)]);
    rtcpAt(at, 13, false, [srOf(2222)]);
  });
  const shape = async (maxBatchRecords?: number) => {
    const r = await replayLines({ capture: file, policy: policyOf({ apts: { px: AGG() } }), workers: 0, windowSec: 10, ...(maxBatchRecords ? { maxBatchRecords } : {}) });
    return parseLines<{ stream: { ssrc: number }; window: { start: number; end: number }; stats: { items: number } }>(r.exports).map((e) => [e.stream.ssrc, e.window.start - T0, e.window.end - T0, e.stats.items]);
  };
  const oneBatch = await shape();
  expect(oneBatch).toEqual([
    [1111, 1, 11, 1],
    [1111, 10.5, 13, 1],
    [2222, 12, 13, 2],
  ]);
  expect(await shape(1)).toEqual(oneBatch);
});
