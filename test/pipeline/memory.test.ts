import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../samples/generator/generate-capture.js';

const run = promisify(execFile);
const child = path.resolve('test/pipeline/memory-child.mjs');
const built = existsSync(path.resolve('dist/src/cli/main.js'));

interface MemoryTrace {
  /** resident memory every 50 ms, MiB */
  samples: number[];
  peakMiB: number;
}

/** Replays `capture` in a process of its own and returns how its resident memory went. */
async function replayMemory(capture: string, out: string, workers: number): Promise<MemoryTrace> {
  const { stdout } = await run(process.execPath, [child, 'replay', capture, '--policy', 'samples/policy.json', '--out', out, '--workers', String(workers), '--quiet'], {
    maxBuffer: 1 << 20,
  });
  const rss = /^rss (.*)$/m.exec(stdout);
  const peak = /^maxRSS (\d+)$/m.exec(stdout);
  if (!rss || !peak) throw new Error(`no memory figures in the child's output: ${stdout}`);
  return { samples: rss[1]!.split(' ').filter(Boolean).map(Number), peakMiB: Number(peak[1]) / 1024 };
}

describe.skipIf(!built)(`replay memory stays flat on a large capture${built ? '' : ' (skipped: dist/ not built — npm test builds it)'}`, () => {
  let dir: string;
  let capture: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aipref-mem-'));
    capture = path.join(dir, 'long.pcap');
    // ten calls for 15 minutes: ~2.8 million packets, ~520 MB — many times the memory a replay
    // may use, and long enough for enough samples now that the in-thread replay is faster
    await generateCapture({ calls: 10, durationSec: 900, seed: 11, videoBytes: 100 }, capture);
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const workers of [0, 2]) {
    it(`resident memory levels off instead of following the capture (--workers ${workers})`, async () => {
      const trace = await replayMemory(capture, path.join(dir, `out-${workers}`), workers);
      // (a sample every 50 ms: the in-thread replay of this capture takes ~0.6 s here)
      expect(trace.samples.length).toBeGreaterThan(6);
      // Once the heap has reached its working size, memory must not keep climbing: the last
      // third of the run may not exceed the middle third by more than a little. A pipeline
      // that held records or outputs would climb by ~80 MB per third here.
      const third = Math.floor(trace.samples.length / 3);
      const middle = Math.max(...trace.samples.slice(third, 2 * third));
      const last = Math.max(...trace.samples.slice(2 * third));
      // Worker threads' heaps settle more slowly (a shard's garbage is collected lazily); they
      // level off near 210 MB on a 5.5-million-packet capture — see the README's figures.
      expect(last - middle).toBeLessThan(workers === 0 ? 30 : 60);
      expect(trace.peakMiB).toBeLessThan(250);
    }, 120_000);
  }
});
