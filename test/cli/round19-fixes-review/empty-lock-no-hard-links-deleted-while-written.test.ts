/**
 * Found by a review of the nineteenth round's own fixes, fixed since: a stale lock is deleted only while it is the file judged stale by inode and mtime, read with its text through one handle; a lock not ending in its newline is partial (src/export/dir-lock.ts takeLock, clearStale, lockOwner).
 */
/**
 * Input: a folder on a file system without hard links (vfat, exFAT, a FUSE mount: link fails
 *   EPERM — forced here by a wrapper), holding an empty lock older than 5 s (a taker killed between
 *   its exclusive create and its write, or a power cut); two services start on it. A reads the empty
 *   lock, stats it old (stale) and is slow to go on (a busy event loop, a slow mount); B clears the
 *   stale lock under `.break` and claims by `writeFile(lock, token, { flag: 'wx' })` — which creates
 *   the file empty and writes it a moment later. A then takes `.break`, re-reads the lock while B's
 *   write has not landed: '' — the "stale text" A read — and deletes it. The interleaving is forced
 *   with node:fs/promises wrappers (A's stat returns once B's lock exists; B's write waits for A's
 *   unlink or 0.4 s); takeLock called directly in one process.
 * Was (observed): both get a token — two services on one folder. clearStale's "deletes it only
 *   while it still holds the stale text read" identifies the stale lock by its text, but an empty
 *   text is not unique: every lock made without hard links is empty for a moment, the very case
 *   8d560c6 waits for outside clearStale (`owner !== null || !(await isYoung(path))`) but not inside.
 * Correct: exactly one holds the lock, the other is refused ("in use (pid …)"): a lock "succeeds
 *   for one taker only" (dir-lock.ts), and a young empty lock is a taker still writing (its own
 *   comment: "waited for, not stale").
 * Fix: src/export/dir-lock.ts clearStale: under `.break`, for a held text with no owner (empty or
 *   unreadable), delete only if the file is still the one judged stale — stat it and compare
 *   ino/mtime with the stat isYoung made (pass it in), or at least re-check `!isYoung(path)` — and
 *   otherwise leave it (the loop waits for it to be written).
 */
import { afterAll, expect, it, vi } from 'vitest';
import { utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const gate = vi.hoisted(() => {
  const signal = () => {
    let resolve!: () => void;
    const p = new Promise<void>((r) => (resolve = r));
    return { p, resolve };
  };
  return { lock: '', stats: 0, created: 0, freshCreated: signal(), lockUnlinks: 0, secondUnlink: signal() };
});
const within = (p: Promise<void>) => Promise.race([p, new Promise((r) => setTimeout(r, 400))]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const link = async (from: Parameters<typeof fs.link>[0], to: Parameters<typeof fs.link>[1]) => {
    if (String(to) === gate.lock) throw Object.assign(new Error(`EPERM: operation not permitted, link '${String(from)}' -> '${String(to)}'`), { code: 'EPERM' });
    return fs.link(from, to);
  };
  const writeFile = (async (file: Parameters<typeof fs.writeFile>[0], data: unknown, options?: { flag?: string }) => {
    if (String(file) !== gate.lock || options?.flag !== 'wx') return fs.writeFile(file, data as never, options as never);
    // an exclusive create is an open (the file exists, empty) and then a write
    const fh = await fs.open(String(file), 'wx');
    try {
      gate.created++;
      gate.freshCreated.resolve();
      await within(gate.secondUnlink.p);
      await fh.writeFile(data as never);
    } finally {
      await fh.close();
    }
  }) as typeof fs.writeFile;
  const stat = (async (file: Parameters<typeof fs.stat>[0], options?: unknown) => {
    const st = await fs.stat(file, options as never);
    if (String(file) === gate.lock && ++gate.stats === 1) await within(gate.freshCreated.p); // A: slow after its stat
    return st;
  }) as typeof fs.stat;
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    await fs.unlink(file);
    if (String(file) === gate.lock && ++gate.lockUnlinks === 2) gate.secondUnlink.resolve();
  };
  const m = { link, writeFile, stat, unlink };
  return { ...fs, ...m, default: { ...fs, ...m } };
});
const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('no hard links, an old empty lock, two takers: exactly one gets the lock', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'round19-empty-lock-'));
  dirs.push(dir);
  gate.lock = path.join(dir, 'spool.lock');
  writeFileSync(gate.lock, '');
  const old = new Date(Date.now() - 60_000);
  utimesSync(gate.lock, old, old);

  const outcomes = await Promise.allSettled([0, 1].map(() => takeLock(gate.lock, dir, (owner) => `in use (${owner})`)));
  const held = outcomes.filter((o): o is PromiseFulfilledResult<string> => o.status === 'fulfilled').map((o) => o.value);
  for (const t of held) await releaseLock(gate.lock, t);
  expect(held.length, JSON.stringify(outcomes.map((o) => (o.status === 'fulfilled' ? 'took the lock' : String(o.reason))))).toBe(1);
});
