/**
 * Found by a review of the spool lock (48c4a54), fixed since: a stale lock is deleted under a second lock (<path>.break), only while it still holds the stale text read, never moved aside (src/export/dir-lock.ts takeLock/clearStale; the --out lock shares it).
 */
/**
 * Input: a spool folder whose spool.lock names a killed process (a crash), and three services
 *   starting on it at about the same time (a supervisor starting replicas, or a restart loop
 *   racing an operator's manual start): A and B both find the stale lock; A moves it aside, checks
 *   it, deletes it and links its own; B's rename — of the lock it read as stale — now moves A's fresh
 *   lock aside; while it is aside D starts and finds no lock. The interleaving is forced with
 *   node:fs/promises wrappers (B's rename waits for A's link; D is opened while A's lock is aside);
 *   the file system is the real one. Shown with DiskSpool.open(dir, { lock: true }), what
 *   AiServiceExporter.open does; in one process here, which is the same code path as three (a pid
 *   that holds its lock is "running" either way).
 * Was (observed): two of the three open the spool — the first taker (A: whichever of the test's
 *   two first renames) and D — two services on one folder, the thing the lock is for (both take up
 *   the waiting items, both append to the same segments and acks); the third is refused. B sees the
 *   aside file is not the stale one and tries to link it back, which fails (EEXIST: D's lock is in
 *   place), then deletes it (`await link(aside, path).catch(() => undefined); await unlink(aside)`):
 *   A's lock is gone while A runs, and A's later releaseLock leaves D's alone.
 * Correct: exactly one of A, B, D opens; the others are refused ("the spool is being used by
 *   another exporter (pid …)"). README: "The spool folder is one service's"; takeLock's own
 *   comment: a lock "succeeds for one taker only".
 * Fix: src/export/dir-lock.ts takeLock: never move a lock that may be fresh. E.g. serialise
 *   take-overs with a second lock taken by link (`<path>.break`, itself stale after a few seconds
 *   by its mtime): under it, read the lock again and unlink it only if it still holds the stale
 *   text read; a fresh lock only appears where none is, so nothing else can be deleted. (Failing
 *   loudly when the aside file cannot be linked back is not enough: while A's lock is aside, D has
 *   already taken the path.)
 */
import { afterAll, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile as realWriteFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';

const gate = vi.hoisted(() => ({
  lockPath: '',
  staleText: '',
  reads: 0,
  readers: [] as (() => void)[],
  renames: 0,
  linked: undefined as undefined | Promise<void>,
  markLinked: (() => undefined) as () => void,
  /** set by the test: opens D (while A's lock is aside) */
  openD: undefined as undefined | (() => Promise<unknown>),
  dStarted: false,
}));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  gate.linked = new Promise<void>((r) => (gate.markLinked = r));
  const readFile = (async (file: Parameters<typeof fs.readFile>[0], options?: unknown) => {
    // A and B both read the stale lock before either moves it
    if (String(file) === gate.lockPath && gate.reads < 2) {
      gate.reads++;
      if (gate.reads === 2) for (const r of gate.readers.splice(0)) r();
      else await Promise.race([new Promise<void>((r) => gate.readers.push(r)), new Promise((r) => setTimeout(r, 300))]);
    }
    return fs.readFile(file, options as never);
  }) as typeof fs.readFile;
  const link = async (from: Parameters<typeof fs.link>[0], to: Parameters<typeof fs.link>[1]) => {
    await fs.link(from, to);
    if (String(to) === gate.lockPath) gate.markLinked();
  };
  const rename = async (from: Parameters<typeof fs.rename>[0], to: Parameters<typeof fs.rename>[1]) => {
    if (String(from) !== gate.lockPath) return fs.rename(from, to);
    gate.renames++;
    if (gate.renames === 1) return fs.rename(from, to);
    // B: its rename comes once A holds the lock
    await Promise.race([gate.linked, new Promise((r) => setTimeout(r, 300))]);
    await fs.rename(from, to);
    const moved = await fs.readFile(String(to), 'utf8').catch(() => '');
    if (moved !== gate.staleText && gate.openD && !gate.dStarted) {
      // a fresh lock is aside now: D starts in this window
      gate.dStarted = true;
      await gate.openD();
    }
  };
  const m = { readFile, link, rename };
  return { ...fs, ...m, default: { ...fs, ...m } };
});
const { DiskSpool } = await import('../../../src/export/spool.js');
type Spool = Awaited<ReturnType<typeof DiskSpool.open>>;

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('three services starting on a killed process\'s lock: exactly one opens the spool', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'spool-lock-2-review-race-'));
  dirs.push(base);
  const dir = path.join(base, 'spool');
  await mkdir(dir);
  // a lock of a process that was killed (it has exited: its pid runs nothing)
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  gate.lockPath = path.join(dir, 'spool.lock');
  gate.staleText = `${dead} ${hostname()} 00000000-0000-4000-8000-000000000000\n`;
  await realWriteFile(gate.lockPath, gate.staleText);

  const outcomes: { who: string; spool?: Spool; refused?: string }[] = [];
  const openAs = (who: string) =>
    DiskSpool.open(dir, { lock: true }).then(
      (spool) => void outcomes.push({ who, spool }),
      (err: Error) => void outcomes.push({ who, refused: err.message }),
    );
  let d: Promise<void> | undefined;
  gate.openD = () => (d = openAs('D'));
  await Promise.all([openAs('A'), openAs('B')]);
  // if no lock was ever moved aside while fresh, D starts now (after A and B)
  if (!gate.dStarted) {
    gate.dStarted = true;
    await gate.openD();
  }
  await d;
  const opened = outcomes.filter((o) => o.spool !== undefined).map((o) => o.who);
  for (const o of outcomes) await o.spool?.close();
  expect(outcomes).toHaveLength(3);
  expect(opened, JSON.stringify(outcomes.map((o) => ({ who: o.who, refused: o.refused })))).toHaveLength(1);
});
