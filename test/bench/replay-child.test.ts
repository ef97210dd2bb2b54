import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstTouchCost } from '../../bench/page-touch.js';
import { REPO_ROOT, runReplayChild } from '../../bench/replay-child.js';

const built = existsSync(path.resolve('dist/bench/child-cpu.js')) && existsSync(path.resolve('dist/bundle/main.cjs'));

describe.skipIf(!built)(`the bench's replay child${built ? '' : ' (skipped: dist/ not built — npm test builds it)'}`, () => {
  it('runs the CLI and reports its summary, peak RSS, CPU time (the kernel’s apart), page faults and, on Linux, the main thread’s share', async () => {
    const run = await runReplayChild({ capture: path.join(REPO_ROOT, 'samples', 'call-small.pcap'), workers: 1 });
    expect(run.summary.packets).toBe(440);
    expect(run.exportsBytes).toBeGreaterThan(0);
    expect(run.peakRssMB).toBeGreaterThan(20);
    expect(run.cpuSeconds).toBeGreaterThan(0);
    expect(run.systemCpuSeconds).toBeGreaterThanOrEqual(0);
    expect(run.systemCpuSeconds).toBeLessThan(run.cpuSeconds);
    // Node alone touches thousands of fresh pages (its heap, the isolate's snapshot)
    expect(run.minorPageFaults).toBeGreaterThan(1000);
    if (process.platform === 'linux') {
      // the main thread is one of several (a worker, V8's helpers): some of the CPU time, not all
      expect(run.mainThreadCpuSeconds).toBeGreaterThan(0);
      expect(run.mainThreadCpuSeconds!).toBeLessThan(run.cpuSeconds);
    }
  });

  // ru_maxrss keeps the forking parent's high-water mark across exec: the replays' peaks read
  // as at least the bench process's own (a 41 MB child reported 83 MB after the bench's walks)
  it.skipIf(process.platform !== 'linux')("reports the child's own peak RSS, whatever the bench process holds when it spawns it", async () => {
    const capture = path.join(REPO_ROOT, 'samples', 'call-small.pcap');
    const alone = await runReplayChild({ capture, workers: 0 });
    const ballast: Buffer[] = [];
    for (let i = 0; i < 75; i++) ballast.push(Buffer.allocUnsafeSlow(4 << 20).fill(1));
    const loaded = await runReplayChild({ capture, workers: 0 });
    expect(ballast.length).toBe(75);
    // the same 440-packet replay: its peak cannot have grown by the parent's 300 MiB
    expect(loaded.peakRssMB).toBeLessThan(alone.peakRssMB + 50);
  });
});

describe("the bench's first-touch probe", () => {
  it('finds a fresh page dearer to touch than the same page touched again', () => {
    const r = firstTouchCost(8);
    expect(r.megabytes).toBe(8);
    expect(r.firstTouchMicros).toBeGreaterThan(0);
  });
});
