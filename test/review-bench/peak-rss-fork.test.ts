/**
 * Review: bench/replay-child.ts reports a replay's peak RSS from process.resourceUsage().maxRSS
 * read in the child (bench/child-cpu.ts). On Linux that is getrusage's ru_maxrss, which carries
 * over exec the high-water mark of the image before it: libuv forks the bench process to spawn
 * the child, and the fork starts with the parent's resident pages counted. So a replay's
 * "peak RSS" is max(its own peak, the bench process's RSS at the spawn): the wrong process's
 * memory. (In the bench's own order — walks, first-touch probe — a trivial `node -e` child
 * spawned before the replays reports ~83 MB instead of 41 MB.) /proc/self/status VmHWM is the
 * exec'd image's own high-water mark.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runReplayChild } from '../../bench/replay-child.js';

const built = existsSync(path.resolve('dist/bench/child-cpu.js')) && existsSync(path.resolve('dist/bundle/main.js'));

describe.skipIf(!built)('replay child peak RSS (review)', () => {
  it("is the child's own, whatever the bench process holds when it spawns it", async () => {
    const capture = path.join(REPO_ROOT, 'samples', 'call-small.pcap');
    const alone = await runReplayChild({ capture, workers: 0 });
    // the bench process holding 300 MiB it has touched (a walk's chunks, werift's garbage, …)
    const ballast: Buffer[] = [];
    for (let i = 0; i < 75; i++) ballast.push(Buffer.allocUnsafeSlow(4 << 20).fill(1));
    const loaded = await runReplayChild({ capture, workers: 0 });
    expect(ballast.length).toBe(75);
    // the same 440-packet replay: its peak cannot have grown by the parent's 300 MiB
    expect(loaded.peakRssMB).toBeLessThan(alone.peakRssMB + 50);
  });
});
