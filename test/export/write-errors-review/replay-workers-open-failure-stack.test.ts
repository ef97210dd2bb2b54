/**
 * Found by a review of write errors, fixed since: the batches still in the shard threads when a run fails are observed before the threads close, so piscina's "Terminating worker thread" is no unhandled rejection and the error's one line is all (src/pipeline/replay-engine.ts replayCapture).
 */
/**
 * `replay --workers n` whose output file cannot be made while batches are in the shard threads.
 *
 * Input: a generated capture (8 calls, 20 s: ~23 MB, many batches), `aipref-enforcer replay
 *   <capture> --out <dir> --workers n --quiet` (n = 1, 2), <dir>/exports.ndjson a folder: the
 *   files are made at the sink's first call (the first batch written, up to three more in the
 *   shard threads), and opening exports.ndjson fails (EISDIR).
 * Correct: SPEC §8 — exit 1 with one clear line on stderr naming the file, never a stack.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateCapture } from '../../../samples/generator/generate-capture.js';
import { ensureBuilt, REPO } from '../../live/live-helpers.js';

let dir = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'wer-replay-'));
  await generateCapture({ calls: 8, durationSec: 20, seed: 7 }, path.join(dir, 'c.pcap'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function replay(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin/aipref-enforcer.js'), 'replay', ...args], { encoding: 'utf8', timeout: 60_000 }, (err, _stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr });
    });
  });
}

for (const workers of [1, 2]) {
  it(`--workers ${workers}: exports.ndjson cannot be made: exit 1, one line naming it, no piscina stack`, async () => {
    const out = path.join(dir, `out-${workers}`);
    await mkdir(path.join(out, 'exports.ndjson'), { recursive: true });
    const { code, stderr } = await replay([path.join(dir, 'c.pcap'), '--out', out, '--workers', String(workers), '--quiet']);
    expect(stderr).not.toContain('Terminating worker thread');
    const lines = stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^aipref-enforcer replay: .*exports\.ndjson/);
    expect(lines[0]).toContain(path.join(out, 'exports.ndjson'));
    expect(code).toBe(1);
  }, 60_000);
}
