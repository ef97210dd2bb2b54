/**
 * Checks of commit 48c4a54 (the spool's lock; sweep failures told each, again at most once a minute)
 * that came out fine.
 *
 * - live start failing at a later step once the AI-service exporter (and --out) opened: --metrics
 *   at an address in use, --metrics at an address not on this host, --udp at a port in use, --nats
 *   refused: exit 1, one line, neither spool.lock nor the --out locks left behind.
 * - live stopped by SIGINT (as SIGTERM): exit 0, spool.lock gone. Killed (SIGKILL, as an uncaught
 *   failure leaves it: there is no uncaughtException handler, the lock stays naming a dead pid): the
 *   next live on the same --spool takes the lock over and starts.
 * - a lock naming another host: refused, naming `pid N on <host>`, the folder untouched (its segment
 *   not taken up); a lock naming a running node process: refused naming it; a lock naming a running
 *   process that is not node (its pid reused): taken over.
 * - the NDJSON --out lock after the move to dir-lock.ts: the refusal text is the one the tests grep
 *   (test/export/ndjson-retention.test.ts, test/live/live-lock.test.ts) and that README quotes.
 * - tellSpoolFailures (through AiServiceExporter): 20 segments that cannot be deleted are 20 lines,
 *   one file each (the AggregateError split); the only changing part of a spool failure's message
 *   is its file (`<file>: <doing>: <reason text> (<code>)`: no count, no offset), so retries dedupe;
 *   a clock stepped back tells each once more, not at every sweep; a minute on, each once more;
 *   close() within that minute tells nothing again, and releases the lock although compact() failed.
 * - a failure first met at close (compact's rewrite of a segment holding a pushed-out line, its
 *   .tmp cannot be written) is told at close, and the lock still goes.
 * - expire() with 300 failures: one AggregateError whose message stays one line (about 93
 *   characters a failure: 28 KB here; live never logs it whole, each part is its own spool-error).
 * - close() while open() runs: there is no handle before open() resolves; live takes a signal during
 *   its start as `early` and a start that then fails closes what it opened (by hand: SIGTERM while
 *   --nats connects to an unreachable server: exit 1 after the connect fails, lock gone). A sweep the
 *   timer began before close(): its disk work is serialised before close's compact and drained()
 *   (by hand: a slow unlink during close; no write after the lock was removed).
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { telemetryLine } from '../lines.js';

const state = vi.hoisted(() => ({ unlinkFails: undefined as RegExp | undefined, writeFails: undefined as RegExp | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    if (state.unlinkFails?.test(String(file))) throw Object.assign(new Error(`EPERM: operation not permitted, unlink '${String(file)}'`), { code: 'EPERM', errno: -1, syscall: 'unlink' });
    return fs.unlink(file);
  };
  const writeFile = async (file: Parameters<typeof fs.writeFile>[0], data: string, options?: Parameters<typeof fs.writeFile>[2]) => {
    if (state.writeFails?.test(String(file))) throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    return fs.writeFile(file, data, options);
  };
  const m = { unlink, writeFile };
  return { ...fs, ...m, default: { ...fs, ...m } };
});
const { AiServiceExporter } = await import('../../../src/export/http-exporter.js');
const { DiskSpool } = await import('../../../src/export/spool.js');
const { RotatingNdjsonExporter } = await import('../../../src/export/ndjson-rotating.js');

const REPO = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
let base = '';
let policy = '';
const children: ChildProcess[] = [];
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'spool-lock-2-review-ok-'));
  policy = path.join(base, 'policy.json');
  await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-d' }));
});
afterAll(async () => {
  state.unlinkFails = undefined;
  state.writeFails = undefined;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(base, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** `live …` to its end (or SIGKILL at timeoutMs); `signalAfter`: a signal once its start line is out. */
function live(args: string[], opts: { timeoutMs?: number; signalAfter?: NodeJS.Signals } = {}): Promise<{ code: number | null; stderr: string; started: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'live', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    let started = false;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!started && /"event":"start"/.test(stderr)) {
        started = true;
        if (opts.signalAfter) child.kill(opts.signalAfter);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, started });
    });
  });
}

it('live: a start failing after the exporters opened leaves neither spool.lock nor the --out locks', async () => {
  const busy: Server = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const busyTcp = (busy.address() as { port: number }).port;
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const busyUdp = udp.address().port;
  const url = `http://127.0.0.1:${await closedPort()}/ingest`;
  try {
    const cases: [string, string[], RegExp][] = [
      ['metrics-in-use', ['--udp', '127.0.0.1:0', '--metrics', `127.0.0.1:${busyTcp}`], /EADDRINUSE/],
      ['metrics-not-here', ['--udp', '127.0.0.1:0', '--metrics', '203.0.113.5:9999'], /EADDRNOTAVAIL/],
      ['udp-in-use', ['--udp', `127.0.0.1:${busyUdp}`], /EADDRINUSE/],
      ['nats-refused', ['--udp', '127.0.0.1:0', '--nats', `nats://127.0.0.1:${await closedPort()}`], /--nats .*cannot connect/],
    ];
    for (const [name, extra, said] of cases) {
      const spool = path.join(base, `spool-${name}`);
      const out = path.join(base, `out-${name}`);
      const run = await live(['--policy', policy, '--to', url, '--spool', spool, '--out', out, '--workers', '0', ...extra]);
      expect(run.code, `${name}: ${run.stderr}`).toBe(1);
      expect(run.stderr).toMatch(said);
      expect(run.stderr.trim().split('\n').filter((l) => !l.startsWith('{'))).toHaveLength(1);
      expect(existsSync(path.join(spool, 'spool.lock')), name).toBe(false);
      expect((await readdir(out).catch(() => [] as string[])).filter((n) => n.endsWith('.lock')), name).toEqual([]);
    }
  } finally {
    busy.close();
    udp.close();
  }
}, 120_000);

it('live: SIGINT removes spool.lock; a SIGKILLed one leaves it and the next live takes it over', async () => {
  const url = `http://127.0.0.1:${await closedPort()}/ingest`;
  const spool = path.join(base, 'spool-signals');
  const args = ['--udp', '127.0.0.1:0', '--policy', policy, '--to', url, '--spool', spool, '--workers', '0', '--quiet'];
  const int = await live(args, { signalAfter: 'SIGINT' });
  expect([int.code, int.started]).toEqual([0, true]);
  expect(existsSync(path.join(spool, 'spool.lock'))).toBe(false);
  const killed = await live(args, { signalAfter: 'SIGKILL' });
  expect([killed.code, killed.started]).toEqual([null, true]);
  expect(existsSync(path.join(spool, 'spool.lock'))).toBe(true);
  const next = await live(args, { signalAfter: 'SIGTERM' });
  expect([next.code, next.started], next.stderr).toEqual([0, true]);
  expect(existsSync(path.join(spool, 'spool.lock'))).toBe(false);
}, 60_000);

it('a lock of another host is refused naming it, the folder untouched; a running node process is refused; a pid now running another program is taken over', async () => {
  const open = (spoolDir: string) => AiServiceExporter.open({ url: 'http://127.0.0.1:9/ingest', spoolDir, backoff: { baseMs: 60_000, maxMs: 60_000 } });
  const other = path.join(base, 'spool-other-host');
  await mkdir(other);
  const segment = `{"id":"a","expiresAt":null,"spooledAt":${Date.now() / 1000},"body":"{}"}\n`;
  await writeFile(path.join(other, 'spool.lock'), '4242 otherhost.example 0f0f\n');
  await writeFile(path.join(other, 'segment-1.ndjson'), segment);
  await expect(open(other)).rejects.toThrow(
    `${other}: the spool is being used by another exporter (pid 4242 on otherhost.example, ${path.join(other, 'spool.lock')}): give each service its own --spool (delete the lock if no such service runs)`,
  );
  expect((await readdir(other)).sort()).toEqual(['segment-1.ndjson', 'spool.lock']);
  expect(await readFile(path.join(other, 'segment-1.ndjson'), 'utf8')).toBe(segment);

  const nodeChild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(nodeChild, sleeper);
  await new Promise((r) => setTimeout(r, 300));
  const held = path.join(base, 'spool-node-holder');
  await mkdir(held);
  await writeFile(path.join(held, 'spool.lock'), `${nodeChild.pid} ${hostname()} 0f0f\n`);
  await expect(open(held)).rejects.toThrow(`(pid ${nodeChild.pid}, `);
  const reused = path.join(base, 'spool-pid-reused');
  await mkdir(reused);
  await writeFile(path.join(reused, 'spool.lock'), `${sleeper.pid} ${hostname()} 0f0f\n`);
  const ex = await open(reused);
  expect((await readFile(path.join(reused, 'spool.lock'), 'utf8')).startsWith(`${process.pid} `)).toBe(true);
  await ex.close();
  expect(existsSync(path.join(reused, 'spool.lock'))).toBe(false);
  nodeChild.kill('SIGKILL');
  sleeper.kill('SIGKILL');
});

it('the NDJSON --out lock refuses with the text it had before the move to dir-lock.ts', async () => {
  const dir = path.join(base, 'out-ndjson');
  await mkdir(dir);
  const first = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
  try {
    await expect(RotatingNdjsonExporter.open({ dir, base: 'exports' })).rejects.toThrow(
      `${dir}: the exports files are being written by another exporter (pid ${process.pid}, ${path.join(dir, 'exports.lock')}): give each service its own --out (delete the lock if no such service runs)`,
    );
  } finally {
    await first.close();
  }
  expect(existsSync(path.join(dir, 'exports.lock'))).toBe(false);
});

it('20 undeletable segments: 20 lines, each once more after a clock step back and a minute on, nothing more at close; the lock goes', async () => {
  const spoolDir = path.join(base, 'spool-told');
  const start = Math.floor(Date.now() / 1000);
  let now = start;
  const told: string[] = [];
  const exporter = await AiServiceExporter.open({
    url: `http://127.0.0.1:${await closedPort()}/ingest`,
    spoolDir,
    expirySweepMs: 50,
    spool: { segmentBytes: 1, clock: () => now },
    backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 0 },
    onSpoolError: (err) => told.push(err.message),
  });
  const sweeps = () => new Promise((r) => setTimeout(r, 400));
  const seg = (n: number) => `${path.join(spoolDir, `segment-${n}.ndjson`)}: cannot delete: operation not permitted (EPERM)`;
  const all = Array.from({ length: 20 }, (_, i) => seg(i + 1)).sort();
  try {
    for (let i = 0; i < 20; i++) await exporter.send(telemetryLine(i, { ts: start, retentionSec: 10 }));
    await exporter.flush();
    state.unlinkFails = /segment-\d+\.ndjson$/;
    now = start + 11;
    await sweeps();
    expect([...told].sort()).toEqual(all);
    now = start + 5;
    await sweeps();
    expect(told.slice(20).sort()).toEqual(all);
    now = start + 80;
    await sweeps();
    expect(told.slice(40).sort()).toEqual(all);
    now = start + 100;
    await exporter.close();
    expect(told).toHaveLength(60);
    expect(existsSync(path.join(spoolDir, 'spool.lock'))).toBe(false);
  } finally {
    state.unlinkFails = undefined;
    await exporter.close();
  }
});

it('a failure first met at close (compaction\'s rewrite) is told, and the lock goes', async () => {
  const spoolDir = path.join(base, 'spool-close');
  const told: string[] = [];
  const exporter = await AiServiceExporter.open({
    url: `http://127.0.0.1:${await closedPort()}/ingest`,
    spoolDir,
    spool: { maxItems: 1 },
    backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 0 },
    onSpoolError: (err) => told.push(err.message),
  });
  await exporter.send(telemetryLine(1));
  await exporter.send(telemetryLine(2)); // pushes 1 out: its line is dead in segment-1, beside 2's
  await exporter.flush();
  state.writeFails = /segment-\d+\.ndjson\.tmp$/;
  try {
    await exporter.close();
  } finally {
    state.writeFails = undefined;
  }
  expect(told).toEqual([`${path.join(spoolDir, 'segment-1.ndjson.tmp')}: cannot write: no space left on device (ENOSPC)`]);
  expect(existsSync(path.join(spoolDir, 'spool.lock'))).toBe(false);
});

it('expire() with 300 failures: one AggregateError, its message one line naming each', async () => {
  const dir = path.join(base, 'spool-300');
  let now = 1000;
  const spool = await DiskSpool.open(dir, { segmentBytes: 1, clock: () => now });
  for (let i = 0; i < 300; i++) await spool.append({ id: `i${i}`, expiresAt: 1010, body: '{}' });
  state.unlinkFails = /segment-\d+\.ndjson$/;
  now = 1011;
  const err = await spool.expire().then(
    () => undefined,
    (e: unknown) => e,
  );
  state.unlinkFails = undefined;
  expect(err).toBeInstanceOf(AggregateError);
  expect((err as AggregateError).errors).toHaveLength(300);
  const message = (err as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  expect(message.startsWith('300 spool failures: ')).toBe(true);
  expect(message.length).toBeLessThan(300 * 200);
  await spool.close();
});
