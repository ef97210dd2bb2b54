/**
 * Review: bench/rtcp-decode.ts and bench/hot-paths.ts turn a tinybench task into items/s as
 * `result.throughput.mean * items`. tinybench 6's `throughput` is the statistics of 1000/latency
 * per sample, so its mean is the arithmetic mean of per-call rates: it overstates the rate
 * whenever call times vary (Jensen), and the more they vary (GC pauses: werift allocates) the
 * more. The rate of a task is calls / time = 1000 / latency.mean (= runs / totalTime).
 *
 * Here a fake tinybench reports two calls of 1 ms and 3 ms: 2 calls in 4 ms, 500 calls/s;
 * the mean of the per-call rates (1000 and 333.3) is 666.7 calls/s, a third too high.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('tinybench', () => {
  class Bench {
    tasks: { name: string; fn: () => void; runs: number; result?: unknown }[] = [];
    constructor(_opts?: unknown) {}
    add(name: string, fn: () => void) {
      this.tasks.push({ name, fn, runs: 0 });
      return this;
    }
    async run() {
      for (const t of this.tasks) {
        t.fn();
        t.fn();
        const latencies = [1, 3]; // ms per call
        const rates = latencies.map((l) => 1000 / l);
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        t.runs = 2;
        t.result = {
          state: 'completed',
          latency: { mean: mean(latencies), samples: latencies },
          throughput: { mean: mean(rates), p50: mean(rates) },
          period: 2,
          totalTime: 4,
        };
      }
      return this.tasks;
    }
    getTask(name: string) {
      return this.tasks.find((t) => t.name === name);
    }
  }
  return { Bench };
});

describe('micro-benchmark rates (review)', () => {
  it('bench/rtcp-decode.ts: compounds/s is calls per second × compounds per call, not the mean of per-call rates', async () => {
    const { benchRtcpDecode, buildRtcpMix } = await import('../../bench/rtcp-decode.js');
    const perCall = buildRtcpMix().length;
    const figures = await benchRtcpDecode(10);
    const decode = figures.find((f) => f.name.startsWith('decodeRtcpCompound'))!;
    // 2 calls in 4 ms = 500 calls/s
    expect(decode.ops).toBeCloseTo(perCall * 500, 3);
  });
});
