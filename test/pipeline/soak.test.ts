/**
 * What a long-running service holds must follow the calls still running, not every call it
 * has seen: thousands of short calls one after another through one engine (as `live` feeds
 * it) leave the heap where a few hundred left it. Before the fixes of 4 December the heap grew
 * ~0.3 MB per 40 calls here (13 → 77 MB over 8000 calls): an answered or refused INVITE's
 * scope in the signaling front, each ended call's sessions and streams in the shards, the
 * dialog → Call-ID map of the shard router, and forgotten flows still referenced by the flow
 * cache.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const child = path.resolve('test/pipeline/soak-child.mjs');
const built = existsSync(path.resolve('dist/src/pipeline/replay-engine.js'));

describe.skipIf(!built)(`a live-like run of sequential calls${built ? '' : ' (skipped: dist/ not built — npm test builds it)'}`, () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aipref-soak-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds no more after 4000 calls than after 1200', async () => {
    const { stdout } = await run(process.execPath, ['--expose-gc', child, dir, '100', '0'], { maxBuffer: 1 << 20 });
    const heap = new Map(
      /^heap (.*)$/m
        .exec(stdout)![1]!
        .split(' ')
        .map((s) => s.split(':').map(Number) as [number, number]),
    );
    expect(/^dialogs (\d+)$/m.exec(stdout)?.[1]).toBe('4000');
    // the least of a few samples: collections leave a few MB either way from one sample to the next
    const least = (from: number, to: number) => Math.min(...[...heap].filter(([r]) => r >= from && r <= to).map(([, mb]) => mb));
    const early = least(30, 45);
    const late = least(85, 100);
    expect(late - early).toBeLessThan(4);
  }, 120_000);
});
