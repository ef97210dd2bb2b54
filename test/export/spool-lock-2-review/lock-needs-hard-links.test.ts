/**
 * Found by a review of the spool lock (48c4a54), fixed since: where link() fails with EPERM/ENOTSUP/ENOSYS the lock is made by an exclusive create, an empty or partial lock younger than 5 s waited for as a taker still writing (src/export/dir-lock.ts takeLock).
 */
/**
 * Input: an AiServiceExporter (as `live --to … --spool S` opens it) whose spool folder is on a file
 *   system without hard links — vfat/exFAT (a USB disk), many FUSE mounts (s3fs, gcsfuse), a CIFS
 *   share without Unix extensions: link(2) fails there with EPERM (Linux vfs_link when the file
 *   system has no link operation), while create, append, rename and unlink work. Simulated by
 *   node:fs/promises `link` rejecting EPERM; everything else is the real file system.
 * Was (observed): AiServiceExporter.open rejects with
 *   `<S>/spool.lock: cannot take the lock: operation not permitted (EPERM)` — `live --to … --spool S`
 *   cannot start at all on such a folder. Before 48c4a54 the spool used no hard link (writeFile,
 *   appendFile, rename, unlink only) and ran there; the lock added by 48c4a54 made it a
 *   requirement, said nowhere (README: the lock "is taken atomically").
 * Correct: the spool opens and works (an item sent is spooled), and the folder is still one
 *   service's: a second exporter on S is refused with the usual line naming the pid. The lock's
 *   purpose (README "The spool folder is one service's") needs an atomic exclusive create, which
 *   such file systems have (O_CREAT|O_EXCL); a hard link is only the way chosen to never show a
 *   half-written lock.
 * Fix: src/export/dir-lock.ts takeLock: when link(mine, path) fails with EPERM, ENOTSUP/EOPNOTSUPP
 *   or ENOSYS (no hard links here), claim with writeFile(path, token, { flag: 'wx' }) instead (EEXIST
 *   → the same "held" path as now); an empty or partial lock is then possibly a taker still writing,
 *   so treat one younger than a few seconds (its mtime) as held rather than stale. (The NDJSON
 *   outputs' `<base>.lock` shares takeLock and gets the same fallback.)
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { telemetryLine } from '../lines.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const link = async (from: Parameters<typeof fs.link>[0], to: Parameters<typeof fs.link>[1]) => {
    throw Object.assign(new Error(`EPERM: operation not permitted, link '${String(from)}' -> '${String(to)}'`), { code: 'EPERM', errno: -1, syscall: 'link' });
  };
  return { ...fs, link, default: { ...fs, link } };
});
const { AiServiceExporter } = await import('../../../src/export/http-exporter.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const open = (spoolDir: string) =>
  AiServiceExporter.open({ url: 'http://127.0.0.1:9/ingest', spoolDir, backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 0 } });

it('a spool folder on a file system without hard links: the spool opens and is still one service\'s', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'spool-lock-2-review-nolink-'));
  dirs.push(base);
  const spoolDir = path.join(base, 'spool');
  const first = await open(spoolDir);
  try {
    await first.send(telemetryLine(1));
    await first.flush();
    expect(first.pending).toBe(1);
    await expect(open(spoolDir)).rejects.toThrow(`${spoolDir}: the spool is being used by another exporter (pid ${process.pid}, ${path.join(spoolDir, 'spool.lock')})`);
  } finally {
    await first.close();
  }
});
