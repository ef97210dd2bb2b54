/**
 * Found by a review of the lock code after 991101e, fixed since: an owner-less (partial) lock is stale only once this taker has seen it unchanged (inode, mtime, size, text) for YOUNG_MS by its own monotonic clock (performance.now()), not by its mtime against this host's clock (src/export/dir-lock.ts takeLock).
 */
/**
 * Input: a folder on a file system without hard links (link(2) fails EPERM: vfat, exFAT, CIFS
 *   without Unix extensions, many FUSE mounts — simulated by failing `link`), served by a mount
 *   whose clock is 60 s behind this host's (the file's mtime is the server's time — simulated by
 *   setting the fresh lock's mtime 60 s back). Taker A makes the lock by exclusive create and is
 *   still writing its line (300 ms) when taker B (a second service of the folder) reads it.
 * Was: B reads the empty lock, takes it for old (isYoung compares its mtime with this host's
 *   clock: |now - mtime| = 60 s >= 5 s), clearStale deletes it under A, and B creates its own:
 *   both takeLock calls resolve — two services hold one folder (observed: both tokens returned).
 * Correct: exactly one taker holds the lock, the other is refused (the half-written lock is A's,
 *   A is alive). The fallback path exists for such mounts (dir-lock.ts header), and YOUNG_MS's own
 *   comment says a mount's clock may differ — but only by less than 5 s; NAS/SMB servers without
 *   NTP are commonly off by more. A partial lock's age must not rest on the server's mtime vs.
 *   the local clock.
 * Fix: src/export/dir-lock.ts takeLock: judge a partial (owner-less, not cut) lock by how long
 *   this taker has seen it unchanged (same ino, mtime, size, text) by its own clock (first seen
 *   + YOUNG_MS, performance.now()), not by isYoung(held.mtimeMs); clear it only after that.
 */
import { describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (file: unknown, data: unknown, opts?: unknown): Promise<void> => {
    const flag = typeof opts === 'object' && opts !== null ? (opts as { flag?: string }).flag : undefined;
    if (flag === 'wx' && String(file).endsWith('.lock')) {
      // exclusive create; the mount stamps it with its own clock, 60 s behind; the line follows later
      const h = await real.open(file as string, 'wx');
      try {
        const server = new Date(Date.now() - 60_000);
        await real.utimes(file as string, server, server);
        await new Promise((r) => setTimeout(r, 300));
        await h.writeFile(data as string);
        await real.utimes(file as string, server, server);
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

describe('a lock half-written by a taker without hard links, on a mount whose clock differs', () => {
  it('is not judged stale and deleted under its live taker: one taker holds the folder, the other is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r22-final-skew-'));
    const lock = join(dir, 'exports.lock');
    try {
      const a = takeLock(lock, dir, (owner) => `refused (${owner})`);
      await new Promise((r) => setTimeout(r, 50)); // A has made the lock, is still writing it
      const b = takeLock(lock, dir, (owner) => `refused (${owner})`);
      const [ra, rb] = await Promise.allSettled([a, b]);
      for (const r of [ra, rb]) if (r.status === 'fulfilled') await releaseLock(lock, r.value);
      const held = [ra, rb].filter((r) => r.status === 'fulfilled').length;
      expect(held, `A: ${ra.status}, B: ${rb.status} — both hold ${lock}`).toBe(1);
      expect(rb.status === 'rejected' ? String(rb.reason) : '').toMatch(/refused \(pid \d+\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
