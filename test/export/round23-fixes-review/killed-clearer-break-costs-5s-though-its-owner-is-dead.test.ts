/**
 * Input: a `.break` left by a taker killed while clearing (its complete line: a pid of this host that
 *   no longer runs, as every `.break` holds its clearer's token), a minute old; and
 *   (a) on an ordinary local folder (hard links work) a lock of a killed process beside it — the
 *       restart after a crash; or
 *   (b) on a mount without hard links (link fails EPERM: vfat, exFAT, CIFS, many FUSE mounts —
 *       simulated by failing `link`) no lock at all — nothing to take over, nothing to wait for.
 * Was (observed): each takeLock takes ~5 s. 5629da8 judges a `.break` only by having watched it
 *   unchanged for 5 s; (a) used to be taken at once (round19 checked-fine said "cleared at once",
 *   5629da8 changed that test to expect > 4 s), and (b) is new: a taker that made its lock by
 *   exclusive create now waits for every `.break` to go before holding, so a stray one from any
 *   earlier crash costs every later start 5 s even where no lock is there.
 * Correct: taken at once (well under 1 s), as a lock of a killed process is — the brief of 5629da8:
 *   a normal mount must be unaffected. The `.break`'s own line says its clearer is gone: a dead pid
 *   of this host cannot be clearing (ownerMayRun, the same test a lock gets; this process's own pid
 *   only while LOCKS_HELD has that token, which 5629da8's early add now makes true for a live
 *   clearer). The mtime was no witness (a mount's clock); the owner is, and needs no clock. Only an
 *   empty/partial `.break`, or one of another host, needs the 5 s watch.
 * Fix: src/export/dir-lock.ts clearStaleGuard: read the `.break` (readGuard already does); where
 *   `lockOwner(text)` is not null and `!ownerMayRun(owner, text)`, clear it at once (the same
 *   move-aside/compare/put-back as now), else watch it as now. (test/cli/round19-fixes-review/
 *   checked-fine.test.ts then goes back to "an old .break of a killed taker is cleared at once".)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = vi.hoisted(() => ({ noHardLinks: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const link = async (from: string, to: string): Promise<void> => {
    if (mode.noHardLinks) throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM', errno: -1 });
    return real.link(from, to);
  };
  return { ...real, default: { ...real, link }, link };
});

const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');

const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
const dirs: string[] = [];
afterEach(async () => {
  mode.noHardLinks = false;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function takeWith(files: { lock?: string; noHardLinks: boolean }): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'r23fix-dead-break-'));
  dirs.push(dir);
  const lock = join(dir, 'spool.lock');
  const old = new Date(Date.now() - 60_000);
  if (files.lock !== undefined) {
    writeFileSync(lock, files.lock);
    utimesSync(lock, old, old);
  }
  writeFileSync(`${lock}.break`, `${deadPid()} ${hostname()} 11111111-2222-3333-4444-555555555555\n`);
  utimesSync(`${lock}.break`, old, old);
  mode.noHardLinks = files.noHardLinks;
  const t0 = Date.now();
  const token = await takeLock(lock, dir, (owner) => `in use (${owner})`);
  const took = Date.now() - t0;
  expect(await readdir(dir)).toEqual(['spool.lock']);
  await releaseLock(lock, token);
  return took;
}

describe("a .break whose line names a dead pid (a clearer killed)", () => {
  it('(a) hard links, beside a killed process\'s lock: taken at once', async () => {
    const took = await takeWith({ lock: `${deadPid()} ${hostname()} x\n`, noHardLinks: false });
    expect(took, `took ${took} ms`).toBeLessThan(1000);
  }, 20_000);

  it('(b) no hard links, no lock at all: taken at once', async () => {
    const took = await takeWith({ noHardLinks: true });
    expect(took, `took ${took} ms`).toBeLessThan(1000);
  }, 20_000);
});
