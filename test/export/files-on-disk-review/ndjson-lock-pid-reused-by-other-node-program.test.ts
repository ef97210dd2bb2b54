/**
 * Found by a review of the files the enforcer keeps on disk, fixed since: a lock's owner is the running process that started when the lock records (boot id and start tick), or for a lock without it one started no later than the lock was written (dir-lock.ts takeLock, ownerMayRun).
 *
 * Input: `<dir>/exports.lock` naming (this host and) the pid of an unrelated running node
 * program (`node -e "setTimeout(() => {}, 30000)"`): the enforcer that wrote the lock crashed
 * and its pid was handed to another program — on a host or container where most processes are
 * node, the likely case. RotatingNdjsonExporter.open({dir, base: 'exports'}).
 *
 * Was: refused ("…being written by another exporter (pid N, …/exports.lock)…"): ownerMayRun()
 * counts any process whose /proc/<pid>/cmdline contains "node" as the owner.
 *
 * Correct: README Exporters: "a lock whose owner is gone, or whose pid now runs another
 * program, is taken over". The process was started after the lock was written, so it cannot be
 * its owner: open() succeeds.
 *
 * Fix: src/export/dir-lock.ts (shared by the NDJSON files' lock and the spool's), takeLock()
 * writes the owner's start (`<boot id>/<start tick>`) into the lock and ownerMayRun() asks for
 * the very process; for a lock without it (this one, as an earlier version wrote it) a process
 * started after the lock's mtime (/proc/<pid>/stat field 22 with /proc/stat btime, 3 s slack) is
 * not its owner. The "node" cmdline test stays as the fallback.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';

let dir: string;
let child: ChildProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-lock-node-'));
});
afterEach(async () => {
  child?.kill();
  child = undefined;
  await rm(dir, { recursive: true, force: true });
});

it('a stale lock whose pid now runs another node program (started after the lock was written) is taken over', async () => {
  const lock = join(dir, 'exports.lock');
  await writeFile(lock, `999999 ${hostname()} 11111111-dead-4000-8000-000000000000\n`);
  // the lock was written an hour ago, by the enforcer that crashed
  const anHourAgo = new Date(Date.now() - 3600_000);
  child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 200));
  await writeFile(lock, `${child.pid} ${hostname()} 11111111-dead-4000-8000-000000000000\n`);
  await utimes(lock, anHourAgo, anHourAgo);
  const outcome = await RotatingNdjsonExporter.open({ dir, base: 'exports' }).then(
    async (ex) => {
      await ex.close();
      return 'opened';
    },
    (e: Error) => `refused: ${e.message.replace(dir, '<dir>').replace(String(child!.pid), '<pid>')}`,
  );
  expect(outcome).toBe('opened');
});
