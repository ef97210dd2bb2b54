/**
 * Found by a review of the lock owner fix (1ac796c), fixed since: a lock is read only if it is a regular file, its first 4 KiB only; a lock path that is not a regular file or cannot be read is refused at once in one line naming it, one longer than any lock is stale (dir-lock.ts readLock, takeLock).
 * Input: `<dir>/exports.lock` that exists but cannot be read as a lock: (a) a huge file (3 GiB,
 * sparse, a minute old: fs readFile fails ERR_FS_FILE_TOO_LARGE; one of 600 MB fails likewise
 * with ERR_STRING_TOO_LONG after reading it all), (b) a folder of that name (EISDIR).
 * RotatingNdjsonExporter.open({dir, base: 'exports'}) (the spool's lock is the same code).
 * Was (observed, also before 1ac796c): takeLock loops without a pause for its whole 10 s
 * (readLock gives null, taken for "the lock just went": claim again, EEXIST, read again …, one
 * core busy) and then refuses with "<dir>: cannot take <dir>/exports.lock: other processes keep
 * taking it" — no other process is there; the operator is sent looking for one.
 * Correct: an answer at once, in one line that says what is wrong with the file: a lock file that
 * is not a regular file, or too large to be any taker's (a lock is one short line), is refused
 * naming it ("… exports.lock: not a lock file (a folder)/(3221225472 bytes): delete it"), or, for
 * the huge regular file, cleared as stale like any old lock without an owner — never a 10 s busy
 * wait and a wrong reason (the brief: a clear one-line refusal or a take-over, never a hang).
 * Fix: src/export/dir-lock.ts, readLock: read only the first few KiB through the handle (a lock is
 * < 200 bytes; more is no taker's: no owner → stale once old) and check st.isFile(); tell "gone"
 * (ENOENT: claim again) apart from "unreadable" (EISDIR, EACCES…: throw a one-line refusal naming
 * the lock and the reason) in takeLock's loop.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r22-lock-unreadable-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function outcome(): Promise<{ ms: number; said: string }> {
  const t0 = Date.now();
  const said = await RotatingNdjsonExporter.open({ dir, base: 'exports' }).then(
    async (ex) => {
      await ex.close();
      return 'opened';
    },
    (e: Error) => `refused: ${e.message}`,
  );
  return { ms: Date.now() - t0, said };
}

describe('a lock file that cannot be read', () => {
  it('a 3 GiB lock file: answered at once, not "other processes keep taking it" after 10 s', async () => {
    const lock = join(dir, 'exports.lock');
    await writeFile(lock, '');
    await truncate(lock, 3 * 2 ** 30);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const { ms, said } = await outcome();
    expect(said).not.toMatch(/other processes keep taking it/);
    expect(ms).toBeLessThan(3_000);
  }, 20_000);

  it('a folder named exports.lock: a one-line refusal naming it at once, not "other processes keep taking it" after 10 s', async () => {
    await mkdir(join(dir, 'exports.lock'));
    const { ms, said } = await outcome();
    expect(said).toMatch(/^refused: .*exports\.lock/);
    expect(said).toBe(`refused: ${dir}: cannot take ${join(dir, 'exports.lock')}: not a regular file (a folder): delete it`);
    expect(said).not.toMatch(/other processes keep taking it/);
    expect(ms).toBeLessThan(3_000);
  }, 20_000);

  it('a 3 GiB lock file modified just now: no taker writes more than a line, so no taker is still writing it: taken over at once', async () => {
    const lock = join(dir, 'exports.lock');
    await writeFile(lock, `${process.pid} ${hostname()} 11111111-dead-4000-8000-000000000000\n`);
    await truncate(lock, 3 * 2 ** 30);
    const { ms, said } = await outcome();
    expect(said).toBe('opened');
    expect(ms).toBeLessThan(3_000);
  }, 20_000);

  it.skipIf(!existsSync('/usr/bin/mkfifo') && !existsSync('/bin/mkfifo'))('a FIFO named exports.lock: refused at once (not opened: no wait for a writer), naming it', async () => {
    expect(spawnSync('mkfifo', [join(dir, 'exports.lock')]).status).toBe(0);
    const { ms, said } = await outcome();
    expect(said).toBe(`refused: ${dir}: cannot take ${join(dir, 'exports.lock')}: not a regular file (a FIFO): delete it`);
    expect(ms).toBeLessThan(3_000);
  }, 20_000);

  it('a dangling symbolic link named exports.lock: refused at once, naming it (was: taken for gone for 10 s)', async () => {
    await symlink(join(dir, 'nowhere'), join(dir, 'exports.lock'));
    const { ms, said } = await outcome();
    expect(said).toBe(`refused: ${dir}: cannot take ${join(dir, 'exports.lock')}: not a regular file (a symbolic link): delete it`);
    expect(ms).toBeLessThan(3_000);
  }, 20_000);
});
