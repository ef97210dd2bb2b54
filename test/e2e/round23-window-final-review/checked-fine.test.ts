/**
 * Round-23 final review of the window-close rework (40d5492, f8ab8ad): what was checked and found
 * FINE. e2e comparisons replay in-process with --workers 0 and 2, default batching and small
 * maxBatchRecords, and compare exports, reports, decisions (--explain), summary and bindings.
 *  - DueQueue against a brute-force check (4000 random operations × 40 seeds on WindowStore:
 *    add with random keys, times stepping back, retentions 1 s–24 h and none, APT flips;
 *    close() as BYE; closeDueAt at a random clock): every window closeDueAt returns was due by
 *    the clock, none still open is due after it, nextDue is never later than the earliest open
 *    due moment, the returned list is sorted by (end, key).
 *  - A window whose due moment moves earlier (a shorter-retention item, closeBy pulled in)
 *    closes at the pulled-in moment; the entry it leaves at its end does not close the next
 *    window opened under the same key early.
 *  - A window closed by BYE, then a new one under the same key: the stale entry is passed over,
 *    the new window is queued and closes at its own end.
 *  - closeAll then more windows (the queue is cleared with the map): new windows close on time.
 *  - Random captures with RTT matching on (prop-harness setRtt(true): LSRs echo SRs, so SR memory
 *    and its per-record forget matter), retention 9 s beside 1 h (closeBy pull-ins), window 5 s,
 *    time stepping back up to 2 s and jumping 1000 s (one record: an outlier; two: confirmed) —
 *    30 seeds of randomCapture and 30 of randomFrames: identical for workers 0/2 × default /
 *    maxBatchRecords 1–4 (the first review's SR-memory and repeat-ordinal findings stay fixed).
 *  - Cost: 20 000 windows due at one record (20 000 RTCP streams, then one record 20 s later):
 *    replay with workers 0 finishes in well under the time budget (heap pops, no rescans).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { splitTelemetry, type TelemetryItem } from '../../../src/enforce/telemetry-items.js';
import { type ClosedWindow, WindowStore } from '../../../src/enforce/windows.js';
import { compound, sr } from '../../enforce/packets.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { mulberry32, randomCapture, randomFrames, setRtt, writeFrames, writeRandom } from '../round23-window-close-review/prop-harness.js';
import { replayOnce, at, writeTimed } from '../round23-window-close-review/util.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';

const item = (): TelemetryItem => splitTelemetry(compound(sr(0x1111)))[0]!;
const T = 1_767_225_600;
const m = (retentionSec: number | null, apt: readonly string[] = ['x']) => ({ apt, retentionSec, extensions: {} });
interface Open { end: number; closeBy: number }
const openOf = (s: WindowStore) => (s as unknown as { windows: Map<string, Open> }).windows;

describe('DueQueue', () => {
  it('random operations: closeDueAt closes exactly the due windows, in (end, key) order', () => {
    const problems: string[] = [];
    const APTS = [['x'], ['y']];
    for (let seed = 1; seed <= 40; seed++) {
      const r = mulberry32(seed);
      const s = new WindowStore({ windowSec: 1 + Math.floor(r() * 10) });
      let clock = T;
      for (let op = 0; op < 4000; op++) {
        const what = r();
        const key = `k${Math.floor(r() * 30)}`;
        if (what < 0.55) {
          const ts = clock + (r() < 0.1 ? -r() * 3 : r() * 0.5);
          const ret = r() < 0.3 ? null : [1, 3, 8, 30, 86400][Math.floor(r() * 5)]!;
          s.add(key, item(), ts, m(ret, APTS[r() < 0.05 ? 1 : 0]!));
        } else if (what < 0.65) s.close(key, 'bye', clock);
        else {
          clock += r() < 0.1 ? -r() * 2 : r() * 2;
          const before = [...openOf(s).values()].map((w) => Math.min(w.end, w.closeBy));
          const earliest = Math.min(Infinity, ...before);
          if (s.nextDue > earliest) problems.push(`seed ${seed} op ${op}: nextDue ${s.nextDue} > earliest open due ${earliest}`);
          const closed: ClosedWindow[] = s.closeDueAt(clock);
          for (const c of closed) if (!(c.end <= clock)) problems.push(`seed ${seed} op ${op}: closed ${c.key} end ${c.end} > clock ${clock}`);
          for (let i = 1; i < closed.length; i++) {
            const a = closed[i - 1]!;
            const b = closed[i]!;
            if (a.end > b.end || (a.end === b.end && a.key > b.key)) problems.push(`seed ${seed} op ${op}: unsorted`);
          }
          for (const [k, w] of openOf(s)) if (Math.min(w.end, w.closeBy) <= clock) problems.push(`seed ${seed} op ${op}: ${k} due ${Math.min(w.end, w.closeBy)} left open at ${clock}`);
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('a retention pull-in closes at the pulled-in moment; its old entry does not close the next window early', () => {
    const s = new WindowStore({ windowSec: 60 });
    s.add('k', item(), T, m(86400));
    s.add('k', item(), T + 5, m(4));
    expect(s.nextDue).toBe(T + 7);
    expect(s.closeDueAt(T + 6.9)).toEqual([]);
    expect(s.closeDueAt(T + 7).map((c) => [c.reason, c.end - T])).toEqual([['retention', 7]]);
    s.add('k', item(), T + 8, m(86400));
    expect(s.closeDueAt(T + 60)).toEqual([]);
    expect(s.openCount).toBe(1);
    expect(s.closeDueAt(T + 68).map((c) => [c.reason, c.start - T, c.end - T])).toEqual([['window-end', 8, 68]]);
  });

  it('closed by BYE, then a new window under the same key: queued, closes at its own end', () => {
    const s = new WindowStore({ windowSec: 10 });
    s.add('k', item(), T, m(null));
    expect(s.close('k', 'bye', T + 1)?.reason).toBe('bye');
    s.add('k', item(), T + 2, m(null));
    expect(s.closeDueAt(T + 10)).toEqual([]);
    expect(s.closeDueAt(T + 12).map((c) => [c.reason, c.start - T, c.end - T])).toEqual([['window-end', 2, 12]]);
    expect(s.nextDue).toBe(Infinity);
  });

  it('closeAll, then more windows: they close on time', () => {
    const s = new WindowStore({ windowSec: 10 });
    s.add('a', item(), T, m(null));
    s.add('b', item(), T + 1, m(null));
    expect(s.closeAll('end-of-capture', T + 2)).toHaveLength(2);
    s.add('a', item(), T + 3, m(null));
    expect(s.nextDue).toBe(T + 13);
    expect(s.closeDueAt(T + 13).map((c) => c.key)).toEqual(['a']);
  });
});

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('e2e', () => {
  it('random captures with RTT matching on: identical for workers 0/2 × batch sizes', async () => {
    setRtt(true);
    try {
      const policy = policyOf({ apts: { px: { type: 'domain', export: 'aggregated-only', retention: '1h' }, py: { type: 'domain', export: 'aggregated-only', retention: '9s' } }, default: 'px' });
      const bad: string[] = [];
      for (let s = 101; s <= 130; s++) {
        for (const [name, file] of [['capture', await writeRandom(ws, randomCapture(s))], ['frames', await writeFrames(ws, randomFrames(s))]] as const) {
          const b = 1 + Math.floor(mulberry32(s * 13)() * 4);
          const [ref, w2, w0b, w2b] = await Promise.all([replayOnce(file, policy, 0, undefined, 5), replayOnce(file, policy, 2, undefined, 5), replayOnce(file, policy, 0, b, 5), replayOnce(file, policy, 2, b, 5)]);
          for (const [run, o] of [['w2', w2], ['w0b', w0b], ['w2b', w2b]] as const) if (JSON.stringify(o) !== JSON.stringify(ref)) bad.push(`${name} seed ${s} b ${b} ${run}`);
        }
      }
      expect(bad).toEqual([]);
    } finally {
      setRtt(false);
    }
  }, 180_000);

  it('20 000 windows due at one record: replayed quickly', async () => {
    const pkts = [];
    for (let i = 0; i < 20_000; i++) {
      const ip = `10.${1 + (i >> 14)}.${(i >> 7) & 127}.${(i & 127) * 2}`;
      pkts.push(at(i * 0.0001, { src: ip, dst: '10.200.0.1', sport: 4001, dport: 5001, payload: encodeRtcpCompound([{ pt: 200, ssrc: 1000 + i, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 1, reports: [] }]) }));
    }
    pkts.push(at(20, { src: '10.250.0.1', dst: '10.250.0.2', sport: 4001, dport: 5001, payload: encodeRtcpCompound([{ pt: 200, ssrc: 7, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 1, reports: [] }]) }));
    const file = await writeTimed(ws, pkts);
    const started = performance.now();
    const o = await replayOnce(file, policyOf({ apts: { d: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, default: 'd' }), 0);
    expect(o.exports.length).toBe(20_001);
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 60_000);
});
