/**
 * Found by a review of the lock owner fix (1ac796c), fixed since: a pid whose /proc/<pid>/stat state is Z or X (zombie, dead) is not its lock's owner; state and start tick come from one read of the file (dir-lock.ts ownerMayRun, procStat).
 * Input: an exporter (test/export/lock-child.mjs, holding `<dir>/exports.lock` in the new format:
 * pid, host, token, `<boot id>/<start tick>`) started by a parent that never reaps its children
 * (`sh -c '<exporter> & exec sleep 30'`: a non-init pid 1 of a container, a supervisor that does not
 * wait()), then killed (SIGKILL: an OOM kill, a crash). Its pid is now a zombie (/proc/<pid>/stat
 * state `Z`): kill(pid, 0) succeeds and its start tick is still the one the lock recorded.
 * RotatingNdjsonExporter.open({dir, base: 'exports'}) in another process (the restarted service).
 * Was: refused, "the exports files are being written by another exporter (pid N, …): … (delete the
 * lock if no such service runs)" — for as long as the parent does not reap it (observed). Before
 * 1ac796c the same lock was taken over (a zombie's /proc/<pid>/cmdline is empty: no "node"), so
 * this is a regression of the commit: the recorded start now matches before cmdline is asked.
 * Correct: taken over — a zombie has exited, it writes nothing; the lock is a dead owner's
 * (ownerMayRun's own contract: "a pid here, while it runs the process that took the lock"). An
 * operator restarting the crashed service expects it to start, not a line naming a dead pid.
 * Fix: src/export/dir-lock.ts, ownerMayRun (or startTicks returning the state too): read
 * /proc/<pid>/stat field 3 (the first after the last ')'); `Z` (zombie) or `X` (dead) → the owner
 * is not running: return false before comparing the start.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';

const LOCK_CHILD = join(__dirname, '..', 'lock-child.mjs');
const linux = existsSync('/proc/self/stat');

let dir: string;
let parent: ChildProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r22-lock-zombie-'));
});
afterEach(async () => {
  parent?.kill('SIGKILL'); // the zombie goes with its parent (reparented, reaped)
  parent = undefined;
  await rm(dir, { recursive: true, force: true });
});

const state = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
};

describe.skipIf(!linux)('<base>.lock of an exporter that was killed and is now a zombie', () => {
  it('is taken over: a zombie writes nothing', async () => {
    parent = spawn('sh', ['-c', `"${process.execPath}" "${LOCK_CHILD}" "${dir}" 60000 0 & exec sleep 30`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const said = await new Promise<string>((resolve) => parent!.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    expect(said).toBe('ok');
    const lock = join(dir, 'exports.lock');
    const pid = Number((await readFile(lock, 'utf8')).split(' ')[0]);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && state(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(state(pid)).toBe('Z'); // dead, not reaped: its lock stays (no close ran)
    expect(existsSync(lock)).toBe(true);

    const outcome = await RotatingNdjsonExporter.open({ dir, base: 'exports' }).then(
      async (ex) => {
        await ex.close();
        return 'opened';
      },
      (e: Error) => `refused: ${e.message}`,
    );
    expect(outcome).toBe('opened');
  }, 20_000);
});
