/**
 * A tinybench task's rate in items per second: calls per second (1000 / the mean latency in
 * ms, which is the task's runs over its total time) × the items one call handles. Not
 * `throughput.mean`: that is the mean of each sample's 1000/latency, which overstates the rate
 * whenever call times vary (a call of 1 ms and one of 3 ms: 500 calls/s, not 667) — and the
 * more, the more they vary (a decoder that allocates, and pauses for GC, gained the most).
 */
import type { Bench } from 'tinybench';

export function itemsPerSecond(bench: Bench, name: string, items: number): number {
  const result = bench.getTask(name)?.result;
  if (!result || !('latency' in result)) throw new Error(`micro-benchmark ${name} did not complete`);
  return (1000 / result.latency.mean) * items;
}
