/**
 * Found by a review of aggregate windows, fixed since: a window that closes with the same key,
 * start and end as the key's window closed before it carries `repeat` (1, 2, …; src/enforce/
 * windows.ts closeOpen), and its requestId is made with that ordinal (src/enforce/records.ts
 * buildAggregateExport); every other aggregate keeps the id it always had.
 *
 * Two different aggregate windows share one requestId.
 *
 * Input: hand-built two-party call (test/e2e/hand-built-calls.ts: A 10.0.0.1 SSRC 1111 audio
 * 4000, RTCP 4001 → 5001), `a=aipref:session px`, policy px = {type user, export
 * aggregated-only, retention 1h}, window 10 s. At T+3 (T = 1767225600) two RTCP compounds from
 * SSRC 1111, both stamped T+3 (frames 4 and 5; a capture at µs resolution, or a mirror's batch,
 * gives two packets one time): [SR packetCount 1, BYE 1111] and [SR packetCount 2, BYE 1111].
 * Each BYE closes the stream's window (reason bye) at T+3, so there are two windows, each of
 * 2 items, each {start: T+3, end: T+3}. Workers 0 and 2 agree.
 *
 * Was: both aggregate lines carry requestId "7a838533-7210-81cc-b761-af17db5cdec6"
 *   (window {start: 1767225603, end: 1767225603}, items 2, for each).
 * Correct: SPEC §4 "Every export carries: a unique requestId" — two distinct aggregates (of
 *   different items, frames 4 and 5) must not share one; a consumer deduplicating by requestId
 *   (the AI service, seed 001's retries) would drop the second aggregate as a retry of the first.
 * Fix: src/enforce/records.ts buildAggregateExport: requestIdOf([salt, 'aggregate', window.key,
 *   start, end]) is not unique once a key reopens at the same instant. Add something that tells
 *   windows of one key apart and is the same whatever the workers — e.g. the frame of the window's
 *   first item (record it in WindowStore.openWindow / ClosedWindow as `firstFrame`, src/enforce/windows.ts)
 *   or a per-key sequence number kept in the WindowStore.
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { AGG, byeOf, rtcpAt, run, setup, srOf, T0 } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('two windows closed by BYEs at the same capture time get different requestIds', async () => {
  const o = await run(
    ws,
    (at) => {
      setup(at, ['a=aipref:session px']);
      rtcpAt(at, 3, true, [{ ...srOf(1111), packetCount: 1 } as ReturnType<typeof srOf>, byeOf(1111)]);
      rtcpAt(at, 3, true, [{ ...srOf(1111), packetCount: 2 } as ReturnType<typeof srOf>, byeOf(1111)]);
    },
    { apts: { px: AGG() } },
  );
  // two windows, as described
  expect(o.aggs.map((a) => ({ window: a.window, items: a.items, ssrc: a.ssrc }))).toEqual([
    { window: { start: T0 + 3, end: T0 + 3 }, items: 2, ssrc: 1111 },
    { window: { start: T0 + 3, end: T0 + 3 }, items: 2, ssrc: 1111 },
  ]);
  const ids = o.aggs.map((a) => a.requestId);
  expect(new Set(ids).size).toBe(2);
});
