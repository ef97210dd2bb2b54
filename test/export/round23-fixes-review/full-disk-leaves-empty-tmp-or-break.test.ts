/**
 * Found by a review of the round-23 lock fixes, fixed since: every file a taker creates — its
 * `<lock>.<uuid>.tmp`, the lock without hard links, `.break` — is removed when its line cannot be
 * written (src/export/dir-lock.ts createWritten, used by takeLock and clearStale).
 * Input: a full disk (simulated: the exclusive create succeeds, its write fails ENOSPC, as Node's
 *   writeFile leaves the file it made): (a) the taker's own `.tmp` line file; (b) the `.break` it makes
 *   to clear a killed process's lock. The service fails to start (right); space freed, it starts again.
 * Was: (a) an empty `spool.lock.<uuid>.tmp` left in the folder for good (written before takeLock's
 *   try, never removed); (b) an empty `.break` left, which a `.break` whose line cannot be judged
 *   is: every later taker waited ~5 s on it.
 * Correct: the failing taker leaves nothing of its own; the restart takes the lock at once (< 1 s),
 *   nothing but the lock in the folder.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = vi.hoisted(() => ({ failEnding: '' }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (file: unknown, data: unknown, opts?: unknown): Promise<void> => {
    if (mode.failEnding !== '' && String(file).endsWith(mode.failEnding)) {
      mode.failEnding = '';
      const h = await real.open(file as string, 'wx'); // the create succeeds …
      await h.close();
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' }); // … its write does not
    }
    return (real.writeFile as (...a: unknown[]) => Promise<void>)(file, data, opts);
  };
  return { ...real, default: { ...real, writeFile }, writeFile };
});

const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');

const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
const dirs: string[] = [];
afterEach(async () => {
  mode.failEnding = '';
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('a full disk: a file created, its line not written', () => {
  it.each([
    ['the .tmp line file', '.tmp'],
    ['the .break', '.break'],
  ])('%s: nothing left; the restart takes the lock at once', async (_what, ending) => {
    const dir = await mkdtemp(join(tmpdir(), 'r23fix-full-'));
    dirs.push(dir);
    const lock = join(dir, 'spool.lock');
    writeFileSync(lock, `${deadPid()} ${hostname()} x\n`);
    mode.failEnding = ending;
    await expect(takeLock(lock, dir, (o) => `in use (${o})`)).rejects.toThrow(/ENOSPC/);
    expect(await readdir(dir)).toEqual(['spool.lock']);
    const t0 = Date.now();
    const token = await takeLock(lock, dir, (o) => `in use (${o})`);
    const took = Date.now() - t0;
    expect(await readdir(dir)).toEqual(['spool.lock']);
    await releaseLock(lock, token);
    expect(took, `restart took ${took} ms`).toBeLessThan(1000);
  }, 20_000);
});
