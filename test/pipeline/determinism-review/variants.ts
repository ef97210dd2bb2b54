/**
 * Replays one capture with several worker counts and batch / chunk cuts and lists every difference.
 * Same cut, other worker count: everything byte-identical (SPEC §8). Another cut: the same lines
 * too, except that aggregates may come at another batch end (README: windows close on time,
 * checked at the end of each batch), so exports are compared as a set there.
 */
import { replayLines, type ReplayLines } from '../../e2e/e2e-helpers.js';
import type { PolicyFile } from '../../../src/policy/policy-file.js';

interface Cut {
  maxBatchRecords?: number;
  chunkBytes?: number;
  maxInFlight?: number;
}
export const CUTS: Record<string, Cut> = {
  whole: { maxBatchRecords: 1_000_000 },
  'batch 1 inflight 1': { maxBatchRecords: 1, maxInFlight: 1 },
  'batch 2 chunk 100': { maxBatchRecords: 2, chunkBytes: 100 },
  'batch 7 chunk 5000': { maxBatchRecords: 7, chunkBytes: 5000 },
  'chunk 300 inflight 1': { chunkBytes: 300, maxInFlight: 1 },
};

function diff(a: ReplayLines, b: ReplayLines, sameCut: boolean): string[] {
  const pick = (r: ReplayLines) => ({ exports: r.exports, reports: r.reports, decisions: r.decisions, summary: [JSON.stringify(r.result.summary)], bindings: r.result.bindings.map((x) => JSON.stringify(x)) });
  const A = pick(a);
  const B = pick(b);
  const out: string[] = [];
  for (const k of Object.keys(A) as (keyof typeof A)[]) {
    const la = A[k];
    const lb = B[k];
    if (la.join('\n') === lb.join('\n')) continue;
    if (k === 'exports' && !sameCut && [...la].sort().join('\n') === [...lb].sort().join('\n')) continue;
    let i = 0;
    while (i < la.length && la[i] === lb[i]) i++;
    out.push(`${k} line ${i}: ${la[i]?.slice(0, 300)} <> ${lb[i]?.slice(0, 300)} (${la.length}/${lb.length} lines)`);
  }
  return out;
}

/** workers 0..3 on the whole capture, 0/2/3 on every other cut; `cuts` narrows them. */
export async function differences(capture: string, policy: PolicyFile, windowSec = 10, cuts = Object.keys(CUTS)): Promise<{ base: ReplayLines; problems: string[] }> {
  const base = await replayLines({ capture, policy, workers: 0, windowSec, ...CUTS.whole });
  const problems: string[] = [];
  for (const name of cuts) {
    const cut = CUTS[name]!;
    const zero = name === 'whole' ? base : await replayLines({ capture, policy, workers: 0, windowSec, ...cut });
    if (zero !== base) for (const d of diff(base, zero, false)) problems.push(`w0 ${name} vs whole: ${d}`);
    for (const workers of name === 'whole' ? [1, 2, 3] : [2, 3]) {
      for (const d of diff(zero, await replayLines({ capture, policy, workers, windowSec, ...cut }), true)) problems.push(`w${workers} ${name} vs w0 ${name}: ${d}`);
    }
  }
  return { base, problems };
}
