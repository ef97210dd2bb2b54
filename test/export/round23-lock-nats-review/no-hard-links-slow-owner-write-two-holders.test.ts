/**
 * Input: a folder on a file system without hard links (link(2) fails EPERM: vfat, exFAT, CIFS
 *   without Unix extensions, many FUSE mounts — simulated by failing `link`). Taker A (a service
 *   starting) makes `exports.lock` by exclusive create, and its write of the line into it is slow:
 *   6 s between the open and the write (a stalled network/FUSE mount, a server busy flushing, the
 *   process stopped by the scheduler or SIGSTOP'd by a debugger — anything over 5 s). Taker B (a
 *   second service of the same folder) arrives 50 ms after A.
 * Was (observed): both takeLock calls resolve — two services hold one folder. B sees the empty lock
 *   unchanged for 5 s (YOUNG_MS by its own clock, 84c8789), judges it a killed taker's, deletes it
 *   under `.break` and creates its own; A's write then lands in the deleted file (its open handle),
 *   A's writeFile resolves and claim() returns true — A never looks whether the lock it wrote is
 *   still the one at the path. The lock at the path names B only; at release A leaves it (not its
 *   token), so nothing even tells afterwards.
 * Correct: exactly one of them holds the folder (the lock's whole purpose, README "each file base is
 *   one service's"; SPEC §8 output folder), the other is refused naming the holder's pid. A 5 s
 *   wait is a guess at how long a taker writes; a taker that took longer must find out it lost.
 * Fix: src/export/dir-lock.ts takeLock, claim() (no-hard-links path): create with `open(path, 'wx')`,
 *   write the line through the handle, then check the path is still that file — `(await lstat(path)).ino
 *   === (await handle.stat()).ino` (or readLock(path) text === token line) — before returning true;
 *   if not, it was judged stale and replaced: go round the loop again (read the new lock: refused,
 *   naming its owner). (B's side cannot tell a slow writer from a dead one; A's can.)
 */
import { describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = vi.hoisted(() => ({ slowFirst: true }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (file: unknown, data: unknown, opts?: unknown): Promise<void> => {
    const flag = typeof opts === 'object' && opts !== null ? (opts as { flag?: string }).flag : undefined;
    if (flag === 'wx' && String(file).endsWith('.lock') && mode.slowFirst) {
      mode.slowFirst = false; // A's create only: exclusive create now, its line 6 s later
      const h = await real.open(file as string, 'wx');
      try {
        await new Promise((r) => setTimeout(r, 6000));
        await h.writeFile(data as string);
      } finally {
        await h.close();
      }
      return;
    }
    return (real.writeFile as (...a: unknown[]) => Promise<void>)(file, data, opts);
  };
  const link = async (): Promise<void> => {
    throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM', errno: -1 });
  };
  return { ...real, default: { ...real, writeFile, link }, writeFile, link };
});

const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');

describe('no hard links: a taker whose write of its lock takes longer than 5 s', () => {
  it('does not end with two holders: one holds the folder, the other is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r23-slow-owner-'));
    const lock = join(dir, 'exports.lock');
    try {
      const a = takeLock(lock, dir, (owner) => `refused (${owner})`);
      await new Promise((r) => setTimeout(r, 50)); // A has created the lock, its line not written yet
      const b = takeLock(lock, dir, (owner) => `refused (${owner})`);
      const [ra, rb] = await Promise.allSettled([a, b]);
      for (const r of [ra, rb]) if (r.status === 'fulfilled') await releaseLock(lock, r.value);
      const held = [ra, rb].filter((r) => r.status === 'fulfilled').length;
      expect(held, `A: ${ra.status}, B: ${rb.status} — both hold ${lock}`).toBe(1);
      const refused = [ra, rb].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(String(refused.reason)).toMatch(/refused \(pid \d+\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
