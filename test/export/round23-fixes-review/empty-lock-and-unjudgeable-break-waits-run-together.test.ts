/**
 * Found by a review of the round-23 lock fixes, fixed since: a `.break` is watched from the first turn
 * it is seen, the turns spent waiting on an owner-less lock included (src/export/dir-lock.ts takeLock).
 * Input: an empty `spool.lock` (a killed taker's half-written lock) beside a `.break` that its line
 *   cannot judge — empty (a clearer killed between its create and its write), or naming a pid of
 *   another host (whose processes cannot be seen from here) — both a minute old; one taker, an
 *   ordinary folder (hard links work).
 * Was: the owner-less lock was watched 5 s, and only then, in clearStale, did the watch of `.break`
 *   begin: 5 s more, reaching the 10 s deadline ("other processes keep taking it") before the lock
 *   was deleted.
 * Correct: the two 5 s watches run at once: taken in about 5 s, nothing left beside the lock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseLock, takeLock } from '../../../src/export/dir-lock.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("an empty lock and a .break its line cannot judge", () => {
  it.each([
    ['empty', ''],
    ["another host's", '4242 some-other-host 11111111-2222-3333-4444-555555555555\n'],
  ])('%s .break: taken in about 5 s, not refused at the deadline', async (_what, breakText) => {
    const dir = await mkdtemp(join(tmpdir(), 'r23fix-empty-both-'));
    dirs.push(dir);
    const lock = join(dir, 'spool.lock');
    writeFileSync(lock, '');
    writeFileSync(`${lock}.break`, breakText);
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
    expect(took).toBeGreaterThan(4000);
    expect(took).toBeLessThan(7000);
    expect(await readdir(dir)).toEqual(['spool.lock']);
    await releaseLock(lock, (got as { token: string }).token);
  }, 20_000);
});
