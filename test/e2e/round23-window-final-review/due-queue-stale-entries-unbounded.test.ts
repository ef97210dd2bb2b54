/**
 * Found by a review of f8ab8ad (the window-close rework), fixed since:
 * entries of windows closed before their due moment are counted (WindowStore.staleEntries) and dropped all at once, the heap rebuilt, when they outnumber the open windows (and 64) (src/enforce/windows.ts leftStale, DueQueue.keepOnly).
 *
 * Input: WindowStore (src/enforce/windows.ts) driven as MediaCore drives it for one RTCP source
 *   that sends an SR + BYE compound again and again (an SFU or gateway cycling SSRCs, a broken
 *   peer, a scan): add(key, item, ts) opens the window, close(key, 'bye', ts) closes it; the
 *   clock passed to closeDueAt as passTo does. Two shapes: (a) window 1 h (policy `window: "1h"`),
 *   the clock moving 10 ms a compound — 100 000 compounds in 1000 s of capture; (b) window 10 s,
 *   every record stamped the same instant (a capture whose times were zeroed by an anonymiser,
 *   or written with no clock) — 100 000 compounds.
 * Was (observed): one window is open at any time (openCount ≤ 1), yet the due queue holds one
 *   entry per window ever closed by BYE — 100 000 in both shapes — each pointing at its closed
 *   OpenWindow (stats, jitter samples, APT list…), so none of them can be freed before the clock
 *   reaches its end: for a window length of 1 h, an hour of every closed window's memory; with a
 *   clock that does not move, the whole capture's. (Before f8ab8ad a closed window was released
 *   at once: open windows were the only thing held.) Passing over them when the clock comes
 *   costs a heap pop each, 100 000 at one record.
 * Correct: what the store holds is bounded by its open windows (README "Aggregation windows":
 *   a window keeps running sums, never the items … dropped with the window or bounded; the
 *   DueQueue's doc says stale entries are "passed over when [they come] up" — nothing bounds how
 *   many wait). An operator running `live` with a long window over a relay with call churn
 *   expects memory proportional to the calls in progress.
 * Fix: src/enforce/windows.ts DueQueue / WindowStore.closeOpen: count the entries left behind
 *   (closeOpen of a queued window, an earlier re-queue) and rebuild the heap from the open
 *   windows when they outnumber the live ones (e.g. stale > openCount + 64); or an indexed heap
 *   (each OpenWindow knows its slot) that removes an entry on close and decreases its key on a
 *   retention pull-in.
 */
import { describe, expect, it } from 'vitest';
import { splitTelemetry, type TelemetryItem } from '../../../src/enforce/telemetry-items.js';
import { WindowStore } from '../../../src/enforce/windows.js';
import { compound, sr } from '../../enforce/packets.js';

const item = (): TelemetryItem => splitTelemetry(compound(sr(0x1111)))[0]!;
const meta = { apt: ['d'], retentionSec: 86400, extensions: {} };
const T = 1_767_225_600;
/** the due queue's entry count (private: WindowStore.dueQueue, DueQueue.dues) */
const queued = (s: WindowStore): number => (s as unknown as { dueQueue: { dues: number[] } }).dueQueue.dues.length;

function churn(s: WindowStore, n: number, step: number): number {
  let most = 0;
  for (let i = 0; i < n; i++) {
    const ts = T + i * step;
    s.closeDueAt(ts);
    s.add('u/1111#d', item(), ts, meta);
    s.close('u/1111#d', 'bye', ts);
    most = Math.max(most, s.openCount);
  }
  return most;
}

describe('due queue: entries of windows closed by BYE', () => {
  it('window 1 h, clock moving: bounded by the open windows', () => {
    const s = new WindowStore({ windowSec: 3600 });
    const open = churn(s, 100_000, 0.01);
    expect(open).toBeLessThanOrEqual(1);
    expect(queued(s)).toBeLessThanOrEqual(2 * s.openCount + 64);
  });

  it('clock stuck (every record one instant): bounded by the open windows', () => {
    const s = new WindowStore({ windowSec: 10 });
    churn(s, 100_000, 0);
    expect(queued(s)).toBeLessThanOrEqual(2 * s.openCount + 64);
  });
});
