/**
 * Input: src/pipeline/capture-clock.ts SourceClocks as the replay engine drives it in `live --hep`
 *   (DialogTracker.expireIdle calls sourceNow(s) = SourceClocks.now(s, sipFrame) for every source s
 *   holding dialogs, at every SIP message): 8 agents (sources 1..8) known from an earlier batch,
 *   then one batch of N = 2048 records, all from another agent (source 100) — a backlog: the live
 *   queue hands the engine up to 8192 records at once (PacketQueue maxBatch) — and, at each record,
 *   now(s, frame) for each of the 8.
 * Was: now() walks the batch's sources back from `frame` to its first record for every source with no
 *   record before it in the batch: 8 × N²/2 ≈ 16.8 M reads of batch.source here (the test stops
 *   at its budget). Through the engine (sc-helpers runLive, one batch of 8192 OPTIONS from one agent
 *   while 128 others each hold one dialog): 6.0 s for the batch (4096: 1.5 s, 2048: 0.46 s —
 *   quadratic), against 0.11 s with no other agent; the service falls further behind the more
 *   behind it is.
 * Correct: no per-SIP-message cost that grows with the record's place in its batch: README
 *   (Performance, thousands of calls) took out the same shape ("a batch's events are appended instead
 *   of copied per SIP message"; replay-engine.ts sip(): "quadratic in a batch busy with
 *   signaling"), and the live queue is there to absorb bursts (README live table: "the queue
 *   absorbs a burst") — a burst must not make each of its records dearer. Expected: a bounded
 *   number of reads per lookup (here ≤ 4 per record of the batch plus 4 per call).
 * Fix: capture-clock.ts SourceClocks: keep, per source, its clock as of the batch's records in
 *   order (e.g. the index of each source's last record seen so far, advanced as frames go forward —
 *   the engine asks in capture order — or per-source position lists searched by binary search),
 *   instead of scanning the batch back at each call.
 */
import { expect, it } from 'vitest';
import { SourceClocks } from '../../../src/pipeline/capture-clock.js';
import type { RecordBatch } from '../../../native-free/types.js';

const T = 1_800_000_000;

function batch(first: number, ts: number[], sources: Uint32Array): RecordBatch {
  return { count: ts.length, firstFrame: first, ts: Float64Array.from(ts), source: sources } as unknown as RecordBatch;
}

it('a source clock lookup costs no more for a record late in a big batch', () => {
  const clocks = new SourceClocks(() => T);
  const G = 8;
  const known = Uint32Array.from({ length: G }, (_, i) => i + 1);
  clocks.begin(batch(1, Array.from({ length: G }, (_, i) => T + i * 0.01), known), T + 1);
  const N = 2048;
  const calls = N * G;
  const budget = 4 * N + 4 * calls;
  let reads = 0;
  const raw = new Uint32Array(N).fill(100);
  const counted = new Proxy(raw, {
    get(target, prop) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) {
        if (++reads > budget) throw new Error(`more than ${budget} reads of batch.source for ${calls} lookups in a ${N}-record batch`);
        return target[Number(prop)];
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const first = G + 1;
  clocks.begin(batch(first, Array.from({ length: N }, (_, i) => T + 2 + i * 1e-3), counted), T + 3);
  for (let f = first; f < first + N; f++) for (let s = 1; s <= G; s++) expect(clocks.now(s, f)).toBeGreaterThan(T);
  expect(reads).toBeLessThanOrEqual(budget);
});
