/**
 * Found by a review of the files the enforcer keeps on disk, fixed since: a lock records its owner's start (boot id and start tick) and a pid is its owner only while it runs the process that started then (dir-lock.ts takeLock, ownerMayRun).
 *
 * Input: `<dir>/exports.lock` in the format this version writes (`<pid> <host> <token> <boot id>/<start
 * tick>`), naming (this host and) the pid of an unrelated running node program (`node -e
 * "setTimeout(() => {}, 30000)"`) with the start of the enforcer that wrote it — this boot, a tick
 * earlier than the node program's: the enforcer crashed and its pid was handed to another program —
 * on a host or container where most processes are node, the likely case.
 * RotatingNdjsonExporter.open({dir, base: 'exports'}).
 *
 * Was: refused ("…being written by another exporter (pid N, …/exports.lock)…"): ownerMayRun()
 * counted any process whose /proc/<pid>/cmdline contains "node" as the owner.
 *
 * Correct: README Exporters: "a lock whose owner is gone, or whose pid now runs another
 * program, is taken over". The running process did not start when the lock records, so it is not
 * its owner: open() succeeds.
 *
 * Fix: src/export/dir-lock.ts (shared by the NDJSON files' lock and the spool's), takeLock()
 * writes the owner's start into the lock and ownerMayRun() asks for the very process. A lock of an
 * earlier version (no start recorded) still counts a running node pid as its owner: such a lock
 * naming a reused pid is refused — a known limit of old-format locks during an upgrade (README;
 * test/export/round22-lock-review/legacy-lock-live-owner-after-clock-step.test.ts: its mtime is no
 * witness, a clock step would take a live owner's lock over).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';

const linux = existsSync('/proc/self/stat') && existsSync('/proc/sys/kernel/random/boot_id');

/** /proc/<pid>/stat field 22 (start tick since boot), read after the command name's last ')'. */
const startTicks = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
};
const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

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

it.skipIf(!linux)('a stale lock whose pid now runs another node program (not started when the lock records) is taken over', async () => {
  const lock = join(dir, 'exports.lock');
  child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 200));
  // the crashed enforcer started a minute (6000 ticks of 1/100 s) before the node program, this boot
  const crashed = Math.max(0, startTicks(child.pid!) - 6000);
  await writeFile(lock, `${child.pid} ${hostname()} 11111111-dead-4000-8000-000000000000 ${bootId()}/${crashed}\n`);
  const outcome = await RotatingNdjsonExporter.open({ dir, base: 'exports' }).then(
    async (ex) => {
      await ex.close();
      return 'opened';
    },
    (e: Error) => `refused: ${e.message.replace(dir, '<dir>').replace(String(child!.pid), '<pid>')}`,
  );
  expect(outcome).toBe('opened');
});
