/**
 * Input: a folder on a mount whose clock is 60 s off this host's (an NFS/SMB server without NTP —
 *   the case 84c8789 fixed for the half-written lock: "a mount's clock … often off by more than
 *   seconds"; simulated by stamping each new `.break` 60 s back, as such a server does), holding a
 *   stale lock (a dead pid). Two services start on it at once, in one process here (two takeLock
 *   calls; two processes run the same code): B begins clearing the stale lock under `.break`, and its
 *   unlink of the lock is slow (300 ms: a network mount's round trip under load); C arrives meanwhile.
 * Was (observed): both takeLock calls resolve — two services hold one folder. C finds B's fresh
 *   `.break`, and clearStaleGuard judges it by its mtime against this host's clock (isYoung: |now −
 *   mtime| = 60 s ≥ 5 s): "a killed taker's" — moved aside and deleted while B is still clearing. C
 *   then makes its own `.break`, deletes the stale lock and links its own; B's unlink, checked
 *   against the stale lock before, then deletes C's fresh lock, and B links its own. The guard that
 *   makes clearers take turns is void on exactly the mounts 84c8789 was about.
 *   (Control, in PASSING.test.ts: the same race with `.break` stamped by this host's clock — one holder.)
 * Correct: exactly one holds the folder, the other is refused naming this pid (README: each file base is
 *   one service's; the lock "is taken atomically"). A `.break`'s age, like a partial lock's, must not
 *   rest on the server's mtime against the local clock.
 * Fix: src/export/dir-lock.ts clearStaleGuard (and its caller's loop): judge a `.break` as takeLock now
 *   judges an owner-less lock — stale once this taker has seen it unchanged (inode, mtime, size, text)
 *   for YOUNG_MS by its own monotonic clock (performance.now()), not by isYoung(mtimeMs); keep that
 *   "first seen" across the loop's turns (e.g. a `guardSeen` beside `partial` in takeLock).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile as realWriteFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = vi.hoisted(() => ({ slowUnlinks: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (file: unknown, data: unknown, opts?: unknown): Promise<void> => {
    await (real.writeFile as (...a: unknown[]) => Promise<void>)(file, data, opts);
    if (String(file).endsWith('.break')) {
      const server = new Date(Date.now() - 60_000); // the mount stamps it with its own clock
      await real.utimes(file as string, server, server);
    }
  };
  const unlink = async (file: unknown): Promise<void> => {
    if (String(file).endsWith('/exports.lock') && mode.slowUnlinks > 0) {
      mode.slowUnlinks--;
      await new Promise((r) => setTimeout(r, 300));
    }
    return real.unlink(file as string);
  };
  return { ...real, default: { ...real, writeFile, unlink }, writeFile, unlink };
});

const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');

const linux = existsSync('/proc/sys/kernel/random/boot_id');
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r23-break-skew-'));
});
afterEach(async () => {
  mode.slowUnlinks = 0;
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!linux)('two takers clearing one stale lock on a mount whose clock is 60 s off', () => {
  it('one holds the folder, the other is refused (the .break guard holds)', async () => {
    const lock = join(dir, 'exports.lock');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    await realWriteFile(lock, `${deadPid()} ${hostname()} 11111111-dead-4000-8000-000000000000 ${boot}/1\n`);
    mode.slowUnlinks = 1; // B's unlink of the stale lock
    const b = takeLock(lock, dir, (owner) => `refused (${owner})`);
    await new Promise((r) => setTimeout(r, 100)); // B holds .break, its unlink under way
    const c = takeLock(lock, dir, (owner) => `refused (${owner})`);
    const [rb, rc] = await Promise.allSettled([b, c]);
    for (const r of [rb, rc]) if (r.status === 'fulfilled') await releaseLock(lock, r.value);
    const held = [rb, rc].filter((r) => r.status === 'fulfilled').length;
    expect(held, `B: ${rb.status}, C: ${rc.status} — both hold ${lock}`).toBe(1);
    const refused = [rb, rc].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(new RegExp(`refused \\(pid ${process.pid}\\)`));
  });
});
