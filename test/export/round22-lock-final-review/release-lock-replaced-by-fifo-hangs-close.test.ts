/**
 * Found by a review of the lock code after 991101e, fixed since: releaseLock reads the lock through readLock (lstat first, O_NOFOLLOW|O_NONBLOCK, first 4 KiB): a FIFO or anything not a regular file in its place is left and close goes on (src/export/dir-lock.ts releaseLock).
 */
/**
 * Input: an NDJSON exporter (and a spool with lock: true) holding its folder; while it runs, its
 *   lock path is replaced by a FIFO (someone "clearing" the lock and a tool, or a mistaken
 *   `mkfifo`, putting one there); then the service closes (SIGTERM, end of run).
 * Was: close() never resolves: releaseLock reads the lock with readFile(path), whose open(2) of a
 *   FIFO waits for a writer forever (observed: close still pending after 3 s; a libuv pool thread
 *   stays blocked too). The service cannot shut down; an operator's SIGTERM hangs.
 * Correct: close resolves promptly and leaves the FIFO alone (it is not this service's lock) —
 *   the very reason readLock was made to lstat first and open O_NOFOLLOW|O_NONBLOCK in 991101e
 *   ("a FIFO's open would wait for a writer") holds at release as much as at take.
 * Fix: src/export/dir-lock.ts releaseLock: read the lock as readLock does (lstat: a regular file
 *   only; open O_RDONLY|O_NOFOLLOW|O_NONBLOCK; first LOCK_MAX_BYTES) and unlink only when its text
 *   is the token — e.g. `const held = await readLock(path, dirname(path)).catch(() => null)`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, lstatSync, openSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';
import { DiskSpool } from '../../../src/export/spool.js';

let dir: string;
const fifos: string[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r22-final-fifo-'));
});
afterEach(async () => {
  // unblock a reader still waiting in open(2) on the FIFO, so the worker's pool thread is freed
  for (const f of fifos.splice(0)) {
    try {
      closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      /* no reader waiting */
    }
  }
  await new Promise((r) => setTimeout(r, 100));
  await rm(dir, { recursive: true, force: true });
});

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'still pending'> =>
  Promise.race([p, new Promise<'still pending'>((r) => setTimeout(() => r('still pending'), ms))]);

async function replaceByFifo(lock: string): Promise<void> {
  await unlink(lock);
  execFileSync('mkfifo', [lock]);
  fifos.push(lock);
}

describe.skipIf(process.platform !== 'linux')('releaseLock on a lock replaced by a FIFO', () => {
  it('NDJSON exporter: close resolves within 3 s and leaves the FIFO', async () => {
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    const lock = join(dir, 'exports.lock');
    await replaceByFifo(lock);
    expect(await within(ex.close().then(() => 'closed'), 3000)).toBe('closed');
    expect(existsSync(lock) && lstatSync(lock).isFIFO()).toBe(true);
  });

  it('spool (spool.lock): close resolves within 3 s and leaves the FIFO', async () => {
    const s = await DiskSpool.open(dir, { lock: true });
    const lock = join(dir, 'spool.lock');
    await replaceByFifo(lock);
    expect(await within(s.close().then(() => 'closed'), 3000)).toBe('closed');
    expect(existsSync(lock) && lstatSync(lock).isFIFO()).toBe(true);
  });
});
