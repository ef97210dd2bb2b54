/**
 * Found by a review of the nineteenth round's own fixes, fixed since: a stale .break is moved aside and deleted only if it is the file judged (inode and mtime), else put back; a holder whose .break is no longer its own deletes nothing (src/export/dir-lock.ts clearStaleGuard, clearStale).
 */
/**
 * Input: a folder whose lock (spool.lock, or the --out lock) names a killed process and whose
 *   `<lock>.break` was left by a taker killed while clearing it (older than 5 s); two services start
 *   on it (a restart loop and an operator's start, two replicas). Both find the lock stale, both
 *   find `.break` held and stale, and both decide to delete it. The interleaving is forced with
 *   node:fs/promises wrappers around the real file system (B's second unlink of `.break` comes
 *   after A has made a fresh `.break` of its own and re-read the lock; A's unlink of the stale
 *   lock comes after B's claim); takeLock called directly, in one process (a pid that holds its
 *   lock is "running" either way, as in test/export/spool-lock-2-review).
 * Was (observed): both takers get a token — two services on one folder. clearStale deletes a
 *   stale `.break` by `if (!(await isYoung(guard))) await unlink(guard)`: a check and a delete, not
 *   one step; the second taker's unlink removes the first's fresh `.break`, the second then takes
 *   `.break` too, and with two holders the "delete only while it still holds the stale text"
 *   read-then-unlink is a race again: A read the stale text, B deleted it and linked its own lock,
 *   A's unlink deleted B's fresh lock, A linked its own.
 * Correct: exactly one of the two holds the lock, the other is refused ("… (pid …)") — the lock
 *   "succeeds for one taker only" (dir-lock.ts's own comment; README: the spool folder is one
 *   service's). 8d560c6 says a fresh lock can no longer be deleted; with a stale `.break` around it can.
 * Fix: src/export/dir-lock.ts clearStale: never unlink a `.break` that may have been replaced since
 *   it was judged stale. E.g. take the stale `.break` over by rename to a unique name and check the
 *   moved file is the one judged (same inode/mtime as the stat that found it stale) — if not, it
 *   is a fresh one: link it back and give up this turn; and before unlinking the lock, check that
 *   `.break` still holds this taker's token (a holder whose `.break` was taken over stops). Or hold
 *   `.break` as a file of unique content created by link (as the lock itself) and delete a stale
 *   one only while it holds the text read, by the same two-level scheme.
 *   (Likelihood: a taker killed within the few ms it holds `.break`, then two starts at once.)
 */
import { afterAll, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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
    guardUnlinks: 0,
    secondGuardUnlink: signal(),
    guardTaken: 0,
    rereadUnderGuard: signal(),
    lockUnlinks: 0,
    claimed: signal(),
    signal,
  };
});
const within = (p: Promise<void>) => Promise.race([p, new Promise((r) => setTimeout(r, 400))]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    const f = String(file);
    if (f === gate.guard) {
      gate.guardUnlinks++;
      if (gate.guardUnlinks === 1) await within(gate.secondGuardUnlink.p); // both judged it stale
      else if (gate.guardUnlinks === 2) {
        gate.secondGuardUnlink.resolve();
        await within(gate.rereadUnderGuard.p); // the other has a fresh .break now, and read the lock
      }
    } else if (f === gate.lock) {
      gate.lockUnlinks++;
      if (gate.lockUnlinks === 1) await within(gate.claimed.p);
    }
    return fs.unlink(file);
  };
  const writeFile = (async (file: Parameters<typeof fs.writeFile>[0], data: unknown, options?: unknown) => {
    await fs.writeFile(file, data as never, options as never);
    if (String(file) === gate.guard) gate.guardTaken++;
  }) as typeof fs.writeFile;
  const readFile = (async (file: Parameters<typeof fs.readFile>[0], options?: unknown) => {
    const r = await fs.readFile(file, options as never);
    if (String(file) === gate.lock && gate.guardTaken > 0) gate.rereadUnderGuard.resolve();
    return r;
  }) as typeof fs.readFile;
  const link = async (from: Parameters<typeof fs.link>[0], to: Parameters<typeof fs.link>[1]) => {
    await fs.link(from, to);
    if (String(to) === gate.lock) gate.claimed.resolve();
  };
  const m = { unlink, writeFile, readFile, link };
  return { ...fs, ...m, default: { ...fs, ...m } };
});
const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it("two takers finding a killed taker's stale .break: exactly one gets the lock", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'round19-stale-break-'));
  dirs.push(dir);
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  gate.lock = path.join(dir, 'spool.lock');
  gate.guard = `${gate.lock}.break`;
  writeFileSync(gate.lock, `${dead} ${hostname()} 00000000-0000-4000-8000-000000000000\n`);
  writeFileSync(gate.guard, `${dead} ${hostname()} 11111111-1111-4111-8111-111111111111\n`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(gate.guard, old, old);

  const outcomes = await Promise.allSettled([0, 1].map(() => takeLock(gate.lock, dir, (owner) => `in use (${owner})`)));
  const held = outcomes.filter((o): o is PromiseFulfilledResult<string> => o.status === 'fulfilled').map((o) => o.value);
  for (const t of held) await releaseLock(gate.lock, t);
  expect(held.length, JSON.stringify(outcomes.map((o) => (o.status === 'fulfilled' ? 'took the lock' : String(o.reason))))).toBe(1);
});
