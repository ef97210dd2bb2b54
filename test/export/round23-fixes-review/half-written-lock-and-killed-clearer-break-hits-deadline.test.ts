/**
 * Input: what a taker killed while clearing a half-written lock leaves behind (the service killed —
 *   systemd's stop, an OOM kill, a power cut — while it held `.break`): `spool.lock` empty (the
 *   half-written lock of an earlier killed taker: a mount without hard links, or a zero-length file
 *   after a power cut on ext4's delayed allocation) and `spool.lock.break` holding that clearer's
 *   complete line (a dead pid of this host), both a minute old. The next start takes the lock — on an
 *   ordinary local folder (hard links work), one taker, nobody else around.
 * Was (observed): takeLock rejects after ~10 s with "cannot take …: other processes keep taking it"
 *   (there are none) — the service does not start. The owner-less lock is watched 5 s (right), then
 *   clearStale finds `.break` and only then begins watching it (guardWatch starts at the first
 *   clearStaleGuard call), 5 s more: 5 + 5 s reaches TAKE_LOCK_MS (10 s) before the lock itself is
 *   deleted. Before 5629da8 the minute-old `.break` was cleared at once: taken in ~5 s.
 * Correct: taken, in about 5 s (the one wait an owner-less lock needs), as before 5629da8; a start after
 *   a crash must not fail with a message blaming other processes (README: a lock of a killed process
 *   is taken over; SPEC §8: the service starts or says why, truly).
 * Fix: src/export/dir-lock.ts clearStaleGuard / takeLock: judge a `.break` with a complete line by its
 *   owner as a lock is judged (lockOwner + ownerMayRun: a pid of this host not running, or this process
 *   not holding that token, is a killed clearer's — clear it at once, no watch); keep the 5 s own-clock
 *   watch for an empty/partial `.break` or another host's — and start that watch (guardWatch) from the
 *   first turn `.break` is seen, including the turns spent waiting on the owner-less lock, so the two
 *   5 s waits run at once, not one after the other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseLock, takeLock } from '../../../src/export/dir-lock.js';

const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('an empty lock and a killed clearer\'s .break, one taker', () => {
  it('is taken within about 5 s, not refused at the 10 s deadline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r23fix-empty-break-'));
    dirs.push(dir);
    const lock = join(dir, 'spool.lock');
    writeFileSync(lock, '');
    writeFileSync(`${lock}.break`, `${deadPid()} ${hostname()} 11111111-2222-3333-4444-555555555555\n`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    utimesSync(`${lock}.break`, old, old);
    const t0 = Date.now();
    const got = await takeLock(lock, dir, (owner) => `in use (${owner})`).then(
      (token) => ({ token }),
      (err: Error) => ({ err }),
    );
    const took = Date.now() - t0;
    expect('err' in got ? got.err.message : 'taken', `after ${took} ms`).toBe('taken');
    expect(took).toBeLessThan(7000);
    expect(await readdir(dir)).toEqual(['spool.lock']);
    await releaseLock(lock, (got as { token: string }).token);
  }, 20_000);
});
