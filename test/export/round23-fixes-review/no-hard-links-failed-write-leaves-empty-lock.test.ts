/**
 * Input: a mount without hard links (link fails EPERM — simulated), a full disk: the taker's
 *   exclusive create of `exports.lock` succeeds (a directory entry still fits) but writing its line
 *   fails ENOSPC (simulated: the real file created with 'wx', then the write throws, as Node's
 *   writeFile does — it closes the handle and leaves the file). The service fails to start (right).
 *   The operator frees space and starts again.
 * Was (observed): takeLock rejects with the ENOSPC, but leaves behind the empty `exports.lock` it
 *   made — 5629da8's new catch removes a lock only when `written` (its line landed); a create whose
 *   write failed is not. The next start then finds an owner-less lock and waits 5 s for it (any
 *   other taker meanwhile too) before clearing it as a killed taker's.
 * Correct: a taker giving up leaves nothing of its own (5629da8: "a taker giving up after writing its
 *   line removes it" — the same for the file it created and could not write); the restart takes the
 *   lock at once, as on a folder where none is.
 * Fix: src/export/dir-lock.ts takeLock's claim() (no-hard-links path): create with `open(path, 'wx')`,
 *   write the line through the handle; if the write fails, unlink `path` while it is still that file
 *   (lstat(path).ino === handle.stat().ino; an empty lock, nobody else's yet), then rethrow.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = vi.hoisted(() => ({ failWrites: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (file: unknown, data: unknown, opts?: unknown): Promise<void> => {
    const flag = typeof opts === 'object' && opts !== null ? (opts as { flag?: string }).flag : undefined;
    if (flag === 'wx' && String(file).endsWith('.lock') && mode.failWrites > 0) {
      mode.failWrites--;
      const h = await real.open(file as string, 'wx'); // the create succeeds …
      await h.close();
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' }); // … its write does not
    }
    return (real.writeFile as (...a: unknown[]) => Promise<void>)(file, data, opts);
  };
  const link = async (): Promise<void> => {
    throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM', errno: -1 });
  };
  return { ...real, default: { ...real, writeFile, link }, writeFile, link };
});

const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');

const dirs: string[] = [];
afterEach(async () => {
  mode.failWrites = 0;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('no hard links: the lock created, its line not written (ENOSPC)', () => {
  it('the failed taker leaves no lock behind; the restart takes it at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r23fix-enospc-'));
    dirs.push(dir);
    const lock = join(dir, 'exports.lock');
    mode.failWrites = 1;
    await expect(takeLock(lock, dir, (o) => `in use (${o})`)).rejects.toThrow(/ENOSPC/);
    expect(existsSync(lock), 'an empty exports.lock left by the failed taker').toBe(false);
    const t0 = Date.now();
    const token = await takeLock(lock, dir, (o) => `in use (${o})`);
    const took = Date.now() - t0;
    await releaseLock(lock, token);
    expect(took, `restart took ${took} ms`).toBeLessThan(1000);
  }, 20_000);
});
