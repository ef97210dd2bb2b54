/**
 * Found by a review of mirror copies and capture clocks, fixed since: an item before its
 * window's start closes the window and opens its own.
 *
 * Input: hand-built call A → B, `a=aipref:session apt-agg` (aggregated-only, retention 24h),
 * window 10 s; A sends one RTCP SR a second (SSRC 1111, T+1 … T+60), BYE at T+61.
 *  (a) the SR of T+20 is stamped 5 h ahead (T+18020: a merged capture / HEP agent with a wrong
 *      clock); every other record keeps its time.
 *  (b) the capture host's clock steps back 30 s after T+30 (an NTP step): the SRs sent at
 *      T+31 … T+60 are stamped T+1 … T+30.
 *
 * Was (workers 0 and 2):
 *  (a) aggregates `1..11 items 10 | 11..21 items 9 | 18020..18020 items 41` (window bounds minus
 *      T): after the outlier opened a window at T+18020, every later item (capture times T+21 …
 *      T+60, all before that window's end) was folded into it; one aggregate of 41 items whose
 *      `window` {start: T+18020, end: T+18020} contains none of 40 of them. In a long call this
 *      swallows up to the outlier's offset (here 5 h) of telemetry into one aggregate, delivered
 *      hours late.
 *  (b) `1..11 items 10 | 11..21 items 10 | 21..31 items 40`: the window opened at T+21 takes the
 *      30 stepped-back items too (all before its end T+31), window {21, 31} holding items stamped
 *      T+1 … T+30.
 *  (c) the SR of T+20 is stamped 0 (1970: a capture tool's unset time).
 *  (c) `… | 11..11 items 10, expiresAt 86400 (1970-01-02) | 21..31 items 10 | …`: the window
 *      opened at T+11 takes the 1970 item, its deadline becomes 0 + 24h, so the aggregate of the
 *      nine good items is made already expired — README: an aggregate is "never already expired
 *      (live exporters drop what has)": all nine are lost to a live exporter.
 *
 * Correct: SPEC §4 — items are "folded into a per-stream window (operator sets the window,
 * default 10 s)"; SPEC §8 — an aggregate carries `window: {start, end}`, the span of what it
 * counts. No aggregate may hold an item whose capture time lies outside its window, nor more
 * than one window's worth of these once-a-second SRs (≤ 10 items); all 60 items are counted;
 * an outlier's expiry may take only the outlier with it (at most 1 item in an aggregate that
 * expired before the capture's time).
 *
 * Fix: src/enforce/windows.ts WindowStore.add (dueReason): an item whose capture time is before
 * the open window's start (time went back) closes that window as `window-end` and opens a new
 * one at the item, as an item past its end does; optionally a window opened by a single outlier
 * closes on the next in-range item. Same check in closeDue is not needed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { type ExportLine, parseLines, policyOf, replayLines, Workspace } from '../e2e-helpers.js';
import { request, response, sdpOf, T0 } from '../hand-built-calls.js';
import { srFrom } from '../two-party-rtcp.js';
import { type Frame, writeFrames } from './build.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';
const policy = policyOf({ apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '24h' } } });

function call(stamp: (s: number) => number): Frame[] {
  const frames: Frame[] = [
    { ts: T0, src: A, dst: B, sport: 5060, dport: 5060, payload: request('INVITE', 1, sdpOf('a', ['a=aipref:session apt-agg']), [], '') },
    { ts: T0 + 0.1, src: B, dst: A, sport: 5060, dport: 5060, payload: response('200 OK', 1, sdpOf('b', [])) },
    { ts: T0 + 0.2, src: A, dst: B, sport: 5060, dport: 5060, payload: request('ACK', 1, null) },
  ];
  for (let s = 1; s <= 60; s++) frames.push({ ts: T0 + stamp(s), src: A, dst: B, sport: 4001, dport: 5001, payload: encodeRtcpCompound([srFrom(1111, T0 + s)]) });
  frames.push({ ts: T0 + 61, src: A, dst: B, sport: 5060, dport: 5060, payload: request('BYE', 2, null) });
  return frames;
}

const cases: [string, (s: number) => number][] = [
  ['(a) one SR stamped 5 h ahead', (s) => (s === 20 ? s + 5 * 3600 : s)],
  ['(b) the clock steps back 30 s after T+30', (s) => (s > 30 ? s - 30 : s)],
  ['(c) one SR stamped 0', (s) => (s === 20 ? -T0 : s)],
];

describe('aggregation windows when capture time goes back', () => {
  for (const [name, stamp] of cases) {
    for (const workers of [0, 2]) {
      it(`${name}: no aggregate spans > 10 s, holds > 10 of the once-a-second SRs, or expires good items with an outlier (workers ${workers})`, async () => {
        const run = await replayLines({ capture: await writeFrames(ws, `${name.slice(1, 2)}-${workers}`, call(stamp)), policy, workers });
        const aggs = parseLines<ExportLine>(run.exports);
        const items = aggs.map((e) => (e.stats as { items: number }).items);
        expect(items.reduce((a, b) => a + b, 0)).toBe(60);
        expect(Math.max(...items)).toBeLessThanOrEqual(10);
        for (const e of aggs) expect(e.window!.end - e.window!.start).toBeLessThanOrEqual(10);
        // ≤ 10 per window and 60 in all: at least six aggregates
        expect(aggs.length).toBeGreaterThanOrEqual(6);
        // an aggregate expired before the call began holds the outlier alone, if anything
        for (const e of aggs) if (e.expiresAt! < T0) expect((e.stats as { items: number }).items).toBe(1);
      });
    }
  }
});
