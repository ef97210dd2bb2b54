/**
 * Issue 6, end to end: results are the same bytes whatever the worker count (SPEC §8), and
 * whatever the batch cut — in particular a batch boundary just before or just after a
 * renegotiation's offer or answer changes no decision.
 * Workers ≥ 1 run the compiled dist/ worker: `npx tsc -p tsconfig.build.json` first (npm test does).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogApts, type Generated, policyOf, replayLines, type ReplayLines, smallCapture, Workspace } from './e2e-helpers.js';
import type { PolicyFile } from '../../src/policy/policy-file.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let g: Generated;
let policy: PolicyFile;
let inThread: ReplayLines;

beforeAll(async () => {
  g = await ws.generate(smallCapture(5, 8));
  const c4 = g.truth.calls[4]!;
  policy = policyOf({ apts: catalogApts(), dialogs: [{ callId: c4.callId, apt: ['apt-repo-1'] }] });
  inThread = await replayLines({ capture: g.path, policy, workers: 0, explain: true });
});

function sameOutputs(a: ReplayLines, b: ReplayLines): void {
  expect(b.exports.join('\n')).toBe(a.exports.join('\n'));
  expect(b.reports.join('\n')).toBe(a.reports.join('\n'));
  expect(b.decisions.join('\n')).toBe(a.decisions.join('\n'));
  expect(JSON.stringify(b.result.summary)).toBe(JSON.stringify(a.result.summary));
  expect(JSON.stringify(b.result.bindings)).toBe(JSON.stringify(a.result.bindings));
}

describe('the worker count changes nothing', () => {
  it('the capture holds renegotiations of every kind and all three outcomes', () => {
    expect(new Set(g.truth.calls.flatMap((c) => c.renegotiations.map((r) => r.kind)))).toEqual(new Set(['remove-aipref', 'disable-video', 'refused']));
    const t = inThread.result.summary.telemetry;
    expect(t.export > 0 && t.aggregate > 0 && t.drop > 0).toBe(true);
    expect(inThread.result.summary.reports['scope-removed']).toBeGreaterThan(0);
  });

  for (const workers of [1, 2]) {
    it(`workers ${workers}: exports, reports, decisions, summary and bindings byte-identical to workers 0`, async () => {
      sameOutputs(inThread, await replayLines({ capture: g.path, policy, workers, explain: true }));
    });
  }

  it('workers 2 with small batches (64 records): byte-identical too', async () => {
    const small = await replayLines({ capture: g.path, policy, workers: 2, explain: true, maxBatchRecords: 64 });
    expect(small.batches).toBeGreaterThan(g.truth.packets.total / 64);
    const one = await replayLines({ capture: g.path, policy, workers: 0, explain: true, maxBatchRecords: 64 });
    sameOutputs(one, small);
  });
});

describe('chunks recycled many times over', () => {
  it('workers 2 reading 16 KiB chunks with three batches in flight: byte-identical to workers 0', async () => {
    // the reader's two chunks and its one batch object go round the capture dozens of times while
    // three work units are in flight: a unit that pointed into a chunk instead of carrying its own
    // bytes, or a chunk reused too early, shows as garbage records or lines
    const opts = { capture: g.path, policy, explain: true, chunkBytes: 16 * 1024, maxInFlight: 3 };
    const threads = await replayLines({ ...opts, workers: 2 });
    expect(threads.batches).toBeGreaterThan(50);
    sameOutputs(await replayLines({ ...opts, workers: 0 }), threads);
  });
});

describe('batch boundaries at renegotiation frames change no decision', () => {
  /** Seeds whose slow captures put an affected stream's RTCP between offer and answer (see decisions.test.ts). */
  const SLOW: [seed: number, call: number][] = [
    [29, 4], // disable-video
    [34, 0], // remove-aipref
    [125, 0], // remove-aipref (BUNDLE)
  ];
  for (const [seed, callIndex] of SLOW) {
    it(`seed ${seed} call ${callIndex}: a boundary just before/after the offer and the answer gives the one-batch decisions and reports`, async () => {
      const slow = await ws.generate({ ...smallCapture(seed, 8), packetRateScale: 0.05 });
      const r = slow.truth.calls[callIndex]!.renegotiations[0]!;
      const between = slow.truth.rtcp.filter((x) => x.frame > r.offerFrame && x.frame < r.answerFrame && r.affectedSsrcs.includes(x.ssrc));
      expect(between.length).toBeGreaterThan(0);
      const whole = await replayLines({ capture: slow.path, policy, workers: 0, explain: true, maxBatchRecords: 1_000_000 });
      expect(whole.batches).toBe(2); // the capture's one batch, then the final flush
      // A batch of n records ends after frames n, 2n, …: n = f - 1 cuts just before f, n = f just after.
      for (const n of [r.offerFrame - 1, r.offerFrame, r.answerFrame - 1, r.answerFrame]) {
        for (const workers of [0, 2]) {
          const cut = await replayLines({ capture: slow.path, policy, workers, explain: true, maxBatchRecords: n });
          expect(cut.batches, `maxBatchRecords ${n}`).toBeGreaterThan(2);
          expect(cut.decisions, `maxBatchRecords ${n}, workers ${workers}`).toEqual(whole.decisions);
          expect(cut.reports, `maxBatchRecords ${n}, workers ${workers}`).toEqual(whole.reports);
          expect(cut.result.summary, `maxBatchRecords ${n}, workers ${workers}`).toEqual(whole.result.summary);
          // telemetry exports in the same order; aggregates may be written at another batch end, but are the same
          const telemetry = (l: ReplayLines) => l.exports.filter((x) => x.startsWith('{"type":"telemetry"'));
          expect(telemetry(cut)).toEqual(telemetry(whole));
          expect([...cut.exports].sort(), `aggregates, maxBatchRecords ${n}`).toEqual([...whole.exports].sort());
        }
      }
    });
  }
});
