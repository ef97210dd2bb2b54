/**
 * Found by a review of replay outputs (round 20), fixed since: a FIFO in an output file's place
 * waits for its reader saying so, and an interrupt ends that wait (src/cli/replay.ts openFifo,
 * replayOutputs, runReplay).
 * Input: `mkfifo out/exports.ndjson`, replay --out out with no reader; then (a) a reader comes,
 *   (b) SIGTERM instead, (c) the same with an earlier run's regular exports.ndjson and the FIFO
 *   at reports.ndjson. Was: silent, SIGTERM ignored (only SIGKILL ended it); and in (c) the earlier
 *   exports.ndjson emptied before the wait. Correct: one line `<path>: waiting for a reader (a
 *   FIFO)` after a moment; (a) the late reader gets a plain run's exports, exit 0; (b) exit 130,
 *   one line naming the FIFO, nothing of the run's left (the reports.ndjson it made removed);
 *   (c) the FIFO is waited for before any file is emptied: the earlier exports.ndjson intact.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, cli, SMALL_PCAP, SMALL_POLICY, until } from './helpers.js';

let dir: string;
let plainExports: Buffer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-replay-fifo-wait-'));
  const plain = path.join(dir, 'plain');
  expect(cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', plain, '--quiet']).status).toBe(0);
  plainExports = await readFile(path.join(plain, 'exports.ndjson'));
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A replay into `out`, its stderr gathered, and its end. */
function replayInto(out: string): { child: ChildProcess; stderr: () => string; ended: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const ended = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, stderr: () => stderr, ended };
}

/** Ends `child` with SIGKILL if it has not ended 20 s after `ended` was asked for; whether it had to. */
async function endsBy(child: ChildProcess, ended: Promise<number | null>): Promise<{ code: number | null; killed: boolean }> {
  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, 20_000);
  const code = await ended;
  clearTimeout(killer);
  return { code, killed };
}

it('the wait is said; a reader that comes late gets the whole exports, exit 0', async () => {
  const out = path.join(dir, 'late');
  await mkdir(out);
  const fifo = path.join(out, 'exports.ndjson');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const run = replayInto(out);
  expect(await until(() => run.stderr().includes('waiting for a reader'), 45_000), `stderr: ${run.stderr()}`).toBe(true);
  expect(run.stderr().trim().split('\n')).toEqual([`aipref-enforcer replay: ${fifo}: waiting for a reader (a FIFO)`]);
  const cat = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
  const got = new Promise<Buffer>((resolve) => {
    const parts: Buffer[] = [];
    cat.stdout!.on('data', (d: Buffer) => parts.push(d));
    cat.on('close', () => resolve(Buffer.concat(parts)));
  });
  const { code, killed } = await endsBy(run.child, run.ended);
  expect(killed).toBe(false);
  expect(code).toBe(0);
  expect((await got).equals(plainExports)).toBe(true);
}, 120_000);

it("SIGTERM while waiting: exit 130, one line naming the FIFO, nothing of the run's left", async () => {
  const out = path.join(dir, 'term');
  await mkdir(out);
  const fifo = path.join(out, 'exports.ndjson');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const run = replayInto(out);
  expect(await until(() => run.stderr().includes('waiting for a reader'), 45_000)).toBe(true);
  run.child.kill('SIGTERM');
  const { code, killed } = await endsBy(run.child, run.ended);
  expect(killed).toBe(false);
  expect(code).toBe(130);
  const lines = run.stderr().trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe(`aipref-enforcer replay: ${fifo}: interrupted while waiting for a reader (a FIFO): no output written`);
  expect(await readdir(out)).toEqual(['exports.ndjson']);
}, 120_000);

it("a FIFO at reports.ndjson is waited for before the earlier run's exports.ndjson is emptied", async () => {
  const out = path.join(dir, 'earlier');
  expect(cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet']).status).toBe(0);
  await rm(path.join(out, 'reports.ndjson'));
  expect(spawnSync('mkfifo', [path.join(out, 'reports.ndjson')]).status).toBe(0);
  const run = replayInto(out);
  expect(await until(() => run.stderr().includes('waiting for a reader'), 45_000)).toBe(true);
  run.child.kill('SIGINT');
  const { code, killed } = await endsBy(run.child, run.ended);
  expect(killed).toBe(false);
  expect(code).toBe(130);
  expect((await readFile(path.join(out, 'exports.ndjson'))).equals(plainExports)).toBe(true);
  expect((await readdir(out)).sort()).toEqual(['exports.ndjson', 'reports.ndjson']);
}, 120_000);
