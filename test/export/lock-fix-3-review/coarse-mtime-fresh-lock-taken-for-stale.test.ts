/**
 * Found by a review of cf497f1, fixed since: a stale lock is deleted only while its inode, modification time and text are those judged (src/export/dir-lock.ts clearStale).
 */
/**
 * Input: a lock folder on a file system with whole-second modification times that gives a freed
 *   inode number to the next file made (ext2/3, ext4 with 128-byte inodes, an NFSv3 export of one;
 *   here: the real ext4 of /tmp, which reused the freed inode 2000 times in 2000 here, and
 *   `stat`/`FileHandle.stat` wrapped to report mtimeMs in whole seconds). `<base>.lock` names a
 *   process killed right after it took the lock (a crash at start, the restart loop starts it
 *   again in the same second). Takers A and B start on it together and both judge it stale; B
 *   clears it first; taker C starts just after B deleted it (its lock file is made in the freed
 *   inode, in the same second) and claims the empty place before B's next claim; only then does A
 *   get `.break`. Forced with node:fs/promises wrappers; takeLock called directly, one process.
 * Was (observed): A and C both get a token — two services on one folder. Under `.break` A checks
 *   the lock is still "the one judged" by inode and mtime only (clearStale sameFile): C's fresh
 *   lock has the stale one's inode number and, at 1 s granularity, its mtime, so A deletes it and
 *   takes the lock while C holds it too. FileIdentity's comment ("a file deleted and another made
 *   in its place may get its inode number, not also its modification time") does not hold on a
 *   coarse clock (FAT: 2 s; ext4 before Linux 6.13's multigrain stamps: one jiffy).
 * Correct: exactly one taker holds the lock (dir-lock.ts: "succeeds for one taker only").
 * Fix: src/export/dir-lock.ts clearStale: under `.break`, read the lock again through one handle
 *   (readLock) and delete it only while inode, mtime AND text are the judged ones (every fresh
 *   lock holds its own random token; an empty/partial one is judged stale only when ≥ 5 s old,
 *   which a fresh one is not even at 2 s granularity).
 */
import { afterAll, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile as realWriteFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';

const gate = vi.hoisted(() => {
  const signal = () => {
    let resolve!: () => void;
    const p = new Promise<void>((r) => (resolve = r));
    return { p, resolve };
  };
  return {
    lock: '',
    guard: '',
    opens: 0,
    bothRead: signal(),
    guardCalls: 0,
    staleDeleted: signal(),
    cMine: '',
    cIno: -1,
    cSecond: -1,
    deleted: false,
    startC: undefined as undefined | (() => void),
    cClaimed: signal(),
    signal,
  };
});
const within = (p: Promise<void>, ms = 1500) => Promise.race([p, new Promise((r) => setTimeout(r, ms))]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const coarse = <T extends { mtimeMs: number }>(st: T): T => Object.assign(st, { mtimeMs: Math.floor(st.mtimeMs / 1000) * 1000 });
  const stat = (async (file: Parameters<typeof fs.stat>[0], opts?: unknown) => coarse(await fs.stat(file, opts as never))) as typeof fs.stat;
  const open = (async (file: Parameters<typeof fs.open>[0], flags?: unknown, mode?: unknown) => {
    if (String(file) === gate.lock && gate.opens < 2) {
      // A and B both read the stale lock before either clears it
      if (++gate.opens === 2) gate.bothRead.resolve();
      else await within(gate.bothRead.p);
    }
    const handle = await fs.open(file, flags as never, mode as never);
    const real = handle.stat.bind(handle);
    (handle as unknown as { stat: typeof real }).stat = (async (o?: unknown) => coarse(await real(o as never))) as typeof real;
    return handle;
  }) as typeof fs.open;
  const writeFile = (async (file: Parameters<typeof fs.writeFile>[0], data: unknown, options?: unknown) => {
    const f = String(file);
    // the first taker to go for `.break` (A) gets there only once C holds the lock
    if (f === gate.guard && ++gate.guardCalls === 1) await within(gate.cClaimed.p);
    await fs.writeFile(file, data as never, options as never);
    // C's own file: the first `.tmp` made once the stale lock is gone (A's and B's were made before)
    if (f.endsWith('.tmp') && gate.deleted && gate.cMine === '') {
      gate.cMine = f;
      const st = await fs.stat(f);
      gate.cIno = st.ino;
      gate.cSecond = Math.floor(st.mtimeMs / 1000);
    }
  }) as typeof fs.writeFile;
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    await fs.unlink(file);
    if (String(file) === gate.lock && gate.startC !== undefined) {
      gate.deleted = true;
      const start = gate.startC;
      gate.startC = undefined;
      gate.staleDeleted.resolve();
      start();
    }
  };
  const link = async (from: Parameters<typeof fs.link>[0], to: Parameters<typeof fs.link>[1]) => {
    const mineOfC = gate.cMine !== '' && String(from) === gate.cMine;
    // B's claim after clearing waits for C's
    if (String(to) === gate.lock && gate.deleted && !mineOfC) await within(gate.cClaimed.p);
    await fs.link(from, to);
    if (mineOfC) gate.cClaimed.resolve();
  };
  const m = { stat, open, writeFile, unlink, link };
  return { ...fs, ...m, default: { ...fs, ...m } };
});
const fsp = await import('node:fs/promises');
const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('a fresh lock in the stale one\'s inode, in the same second, is not deleted as the stale one', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'k-coarse-mtime-'));
  dirs.push(dir);
  gate.lock = path.join(dir, 'exports.lock');
  gate.guard = `${gate.lock}.break`;
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  // early in a second: everything below happens within it
  // (the kernel stamps files with a clock a few ms behind Date.now(): not right at the turn of the second)
  while (Date.now() % 1000 < 50 || Date.now() % 1000 > 150) await new Promise((r) => setTimeout(r, 5));
  await realWriteFile(gate.lock, `${dead} ${hostname()} 00000000-0000-4000-8000-000000000000\n`);
  const staleStat = await fsp.stat(gate.lock);
  const staleIno = staleStat.ino;

  const refusal = (owner: string) => `in use (${owner})`;
  let c: Promise<string> | undefined;
  gate.startC = () => {
    // C starts once the stale lock is gone: its own file is the next one made in the folder
    c = takeLock(gate.lock, dir, refusal);
  };
  const ab = await Promise.allSettled([0, 1].map(() => takeLock(gate.lock, dir, refusal)));
  await within(gate.staleDeleted.p);
  const outcomes = [...ab, ...(c ? [await c.then((v) => ({ status: 'fulfilled' as const, value: v }), (e: unknown) => ({ status: 'rejected' as const, reason: e }))] : [])];
  const held = outcomes.filter((o): o is PromiseFulfilledResult<string> => o.status === 'fulfilled').map((o) => o.value);
  for (const t of held) await releaseLock(gate.lock, t);
  const said = JSON.stringify(outcomes.map((o) => (o.status === 'fulfilled' ? 'took the lock' : String((o as PromiseRejectedResult).reason))));
  // the premise: C's file got the stale lock's inode number (the file system reused it)
  expect(gate.cIno, `C's inode ${gate.cIno}, the stale lock's ${staleIno}`).toBe(staleIno);
  expect(gate.cSecond, `made in the same second (stale made at ${staleStat.mtimeMs}, ${JSON.stringify(said)})`).toBe(staleStat.mtimeMs / 1000);
  expect(held.length, said).toBe(1);
});
