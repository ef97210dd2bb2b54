/**
 * Found by a review of the output folder's lock (no-hard-links path, round 23), fixed since: a taker that made its lock by exclusive create holds it only once, after its line is written, no `.break` is held (every deletion of a stale lock is made under one) and the path holds its line (src/export/dir-lock.ts takeLock).
 * Input: a folder without hard links (link fails EPERM). Taker A creates `exports.lock` and its write
 *   of the line stalls; taker B judges the empty lock a killed taker's after 5 s, takes `.break`,
 *   reads the lock (still empty, the one judged) — and A's line lands right then, between B's check
 *   and B's unlink (B's unlink is slow: a network mount's round trip).
 * Was: checking only the path after the write (the fix first suggested for
 *   no-hard-links-slow-owner-write-two-holders) finds A's own line there — B has not unlinked yet —
 *   so A holds; B's unlink then deletes A's written lock and B makes its own: two holders.
 * Correct: exactly one holds the folder, the other is refused naming this pid. A looks at the path
 *   only once no `.break` is held: a clearer that read the lock before A's line landed has unlinked
 *   by then, one that reads it after finds the line (a live owner's). Control: a `.break` left by a
 *   killed taker does not keep A from its lock — cleared once unchanged for 5 s (A's own clock).
 */
import { describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile as realWriteFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = vi.hoisted(() => {
  let open!: () => void;
  let written!: () => void;
  return {
    stallFirst: false,
    holdUnlink: false,
    gate: new Promise<void>((r) => (open = r)),
    aWritten: new Promise<void>((r) => (written = r)),
    openGate: () => open(),
    markWritten: () => written(),
  };
});

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (file: unknown, data: unknown, opts?: unknown): Promise<void> => {
    const flag = typeof opts === 'object' && opts !== null ? (opts as { flag?: string }).flag : undefined;
    if (flag === 'wx' && String(file).endsWith('/exports.lock') && mode.stallFirst) {
      mode.stallFirst = false; // A's create: the lock exists now, its line only once B is clearing it
      const h = await real.open(file as string, 'wx');
      try {
        await mode.gate;
        await h.writeFile(data as string);
      } finally {
        await h.close();
      }
      mode.markWritten();
      return;
    }
    return (real.writeFile as (...a: unknown[]) => Promise<void>)(file, data, opts);
  };
  const unlink = async (file: unknown): Promise<void> => {
    if (String(file).endsWith('/exports.lock') && mode.holdUnlink) {
      mode.holdUnlink = false; // B's unlink of the lock judged stale: A's line lands before it
      mode.openGate();
      await mode.aWritten;
      await new Promise((r) => setTimeout(r, 200)); // A looks at its lock meanwhile
    }
    return real.unlink(file as string);
  };
  const link = async (): Promise<void> => {
    throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM', errno: -1 });
  };
  return { ...real, default: { ...real, writeFile, unlink, link }, writeFile, unlink, link };
});

const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');

describe('no hard links: a lock whose line lands between a clearer\'s check and its unlink', () => {
  it('does not end with two holders: one holds the folder, the other is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r23-clear-race-'));
    const lock = join(dir, 'exports.lock');
    try {
      mode.stallFirst = true;
      mode.holdUnlink = true;
      const a = takeLock(lock, dir, (owner) => `refused (${owner})`);
      await new Promise((r) => setTimeout(r, 50)); // A has created the lock, its line not written yet
      const b = takeLock(lock, dir, (owner) => `refused (${owner})`);
      const [ra, rb] = await Promise.allSettled([a, b]);
      for (const r of [ra, rb]) if (r.status === 'fulfilled') await releaseLock(lock, r.value);
      const held = [ra, rb].filter((r) => r.status === 'fulfilled').length;
      expect(held, `A: ${ra.status}, B: ${rb.status} — both hold ${lock}`).toBe(1);
      const refused = [ra, rb].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(String(refused.reason)).toMatch(new RegExp(`refused \\(pid ${process.pid}\\)`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('control: a .break a killed taker left does not keep a taker from its lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'r23-clear-race-'));
    const lock = join(dir, 'exports.lock');
    try {
      await realWriteFile(`${lock}.break`, `1 elsewhere 22222222-dead-4000-8000-000000000000\n`);
      const started = performance.now();
      const token = await takeLock(lock, dir, (owner) => `refused (${owner})`);
      expect(performance.now() - started).toBeLessThan(8_000);
      await releaseLock(lock, token);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
