/**
 * Found by a review of the files the enforcer keeps on disk, fixed since: a lock holds its owner's start (boot id and start tick) and a pid is its owner only while it runs the process that started then; a lock without it (an earlier version's), while it runs node — its mtime is no witness of its owner's start (a clock step: round22-lock-review) (dir-lock.ts takeLock, ownerMayRun).
 * Input: `<dir>/exports.lock` naming a running node process of this host — with the start this
 * process really had (another exporter holding the lock; or the same start, the lock's mtime an
 * hour back: a mount whose clock runs behind), with another start or another boot id (its pid
 * reused by a node program since, the lock's mtime fresh), or with no start at all (a lock of an
 * earlier version) written after the process started. RotatingNdjsonExporter.open({dir, base: 'exports'}).
 * Was: any running process whose cmdline holds "node" was the owner: the reused pid refused; a
 * lock held no start.
 * Correct: the real owner is refused, naming its pid (the start it recorded wins over the lock's
 * mtime; a lock of an earlier version written after the process started is its); a process that
 * is not the one the lock recorded is not its owner: taken over.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';

const LOCK_CHILD = join(__dirname, '..', 'lock-child.mjs');
const linux = existsSync('/proc/self/stat') && existsSync('/proc/sys/kernel/random/boot_id');

/** /proc/<pid>/stat field 22 (start tick since boot), read after the command name's last ')'. */
const startTicks = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};
const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

let dir: string;
let lock: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-lock-start-'));
  lock = join(dir, 'exports.lock');
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function nodeChild(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => setTimeout(r, 200));
  return child.pid!;
}

const outcome = (): Promise<string> =>
  RotatingNdjsonExporter.open({ dir, base: 'exports' }).then(
    async (ex) => {
      await ex.close();
      return 'opened';
    },
    (e: Error) => `refused: ${e.message}`,
  );

describe.skipIf(!linux)('<base>.lock owner: the process that started when the lock says', () => {
  it("this exporter's lock holds its pid, host, token and start (boot id/start tick)", async () => {
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    try {
      const text = await readFile(lock, 'utf8');
      const [pid, host, token, start, more] = text.trim().split(' ');
      expect(text.endsWith('\n')).toBe(true);
      expect([pid, host, more]).toEqual([String(process.pid), hostname(), undefined]);
      expect(token).toMatch(/^[0-9a-f-]{36}$/);
      expect(start).toBe(`${bootId()}/${startTicks(process.pid)}`);
    } finally {
      await ex.close();
    }
  });

  it('a lock another running exporter holds is refused, naming its pid', async () => {
    const child = spawn(process.execPath, [LOCK_CHILD, dir, '30000', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const said = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    expect(said).toBe('ok');
    expect((await readFile(lock, 'utf8')).trim().split(' ')[3]).toBe(`${bootId()}/${startTicks(child.pid!)}`);
    expect(await outcome()).toBe(
      `refused: ${dir}: the exports files are being written by another exporter (pid ${child.pid}, ${lock}): give each service its own --out (delete the lock if no such service runs)`,
    );
  }, 20_000);

  it("a lock holding a running node process's own start is refused even with its mtime an hour back (a mount's clock behind)", async () => {
    const pid = await nodeChild();
    await writeFile(lock, `${pid} ${hostname()} 11111111-dead-4000-8000-000000000000 ${bootId()}/${startTicks(pid)}\n`);
    const anHourAgo = new Date(Date.now() - 3600_000);
    await utimes(lock, anHourAgo, anHourAgo);
    expect(await outcome()).toMatch(new RegExp(`^refused: .*\\(pid ${pid}, `));
  });

  it('a lock of an earlier version (no start) written after a node process started is refused: it may be its owner', async () => {
    const pid = await nodeChild();
    await writeFile(lock, `${pid} ${hostname()} 11111111-dead-4000-8000-000000000000\n`);
    expect(await outcome()).toMatch(new RegExp(`^refused: .*\\(pid ${pid}, `));
  });

  it('a lock whose recorded start is not the running node process\'s (its pid reused) is taken over, however fresh its mtime', async () => {
    const pid = await nodeChild();
    const ticks = Number(startTicks(pid));
    await writeFile(lock, `${pid} ${hostname()} 11111111-dead-4000-8000-000000000000 ${bootId()}/${Math.max(0, ticks - 500)}\n`);
    expect(await outcome()).toBe('opened');
  });

  it('a lock recorded in another boot is taken over, though the pid runs node and the start tick matches', async () => {
    const pid = await nodeChild();
    const otherBoot = bootId().replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await writeFile(lock, `${pid} ${hostname()} 11111111-dead-4000-8000-000000000000 ${otherBoot}/${startTicks(pid)}\n`);
    expect(await outcome()).toBe('opened');
  });
});
