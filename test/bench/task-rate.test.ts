/**
 * The micro-benchmarks' rates: calls per second × items per call, from the mean latency. They
 * were the mean of tinybench's per-sample rates (`throughput.mean`), which overstated every
 * micro figure — werift's most (+43% against +12% for ours: its calls vary more, with GC).
 */
import type { Bench } from 'tinybench';
import { describe, expect, it } from 'vitest';
import { itemsPerSecond } from '../../bench/task-rate.js';

/** A finished task whose two calls took 1 ms and 3 ms: 2 calls in 4 ms. */
function benchWithCalls(latencies: number[]): Bench {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const result = { state: 'completed', latency: { mean: mean(latencies) }, throughput: { mean: mean(latencies.map((l) => 1000 / l)) } };
  return { getTask: (name: string) => (name === 'task' ? { result } : undefined) } as unknown as Bench;
}

describe('itemsPerSecond', () => {
  it('is calls per second (runs over time) × items per call, not the mean of per-call rates', () => {
    // 500 calls/s; the mean of 1000/1 and 1000/3 would say 666.7
    expect(itemsPerSecond(benchWithCalls([1, 3]), 'task', 10)).toBeCloseTo(5000, 6);
  });

  it('refuses a task that did not run', () => {
    expect(() => itemsPerSecond(benchWithCalls([1]), 'other', 1)).toThrow(/other did not complete/);
  });
});
