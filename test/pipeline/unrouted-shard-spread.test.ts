/**
 * Media no signaling routes goes to a shard by its transport pair. The pair's number
 * (unroutedPairV4) keeps its low bits nearly fixed where the ports are: 4200 pairs from
 * 10.1.x.y:40000 to 10.2.0.1:5000 all went to one shard of two, or of four — one thread doing
 * the work of all (reported by the determinism review; speed only, the outputs are the same
 * whatever the shard). Mixed (mix32) before the modulo, they spread.
 */
import { describe, expect, it } from 'vitest';
import { unroutedPairV4 } from '../../src/pipeline/media-core.js';
import { mix32 } from '../../src/pipeline/replay-engine.js';

describe('the shard of unrouted media', () => {
  it('spreads pairs that differ only in their addresses over 2, 3 and 4 shards', () => {
    for (const n of [2, 3, 4]) {
      const counts = new Array<number>(n).fill(0);
      for (let x = 0; x < 70; x++) {
        for (let y = 0; y < 60; y++) {
          const src = ((10 << 24) | (1 << 16) | (x << 8) | y) >>> 0;
          const dst = ((10 << 24) | (2 << 16) | 1) >>> 0;
          counts[mix32(unroutedPairV4(src, 40000, dst, 5000)) % n]!++;
        }
      }
      // each shard within a tenth of its fair share (4200 / n)
      for (const c of counts) expect(Math.abs(c - 4200 / n)).toBeLessThan(420 / n);
    }
  });

  it('mix32 is a bijection on a sample (distinct in, distinct out) and deterministic', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(mix32(i * 2));
    expect(seen.size).toBe(100_000);
    expect(mix32(0x12345678)).toBe(mix32(0x12345678));
  });
});
