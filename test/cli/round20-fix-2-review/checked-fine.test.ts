/**
 * Checked fine in 0330ccc (review of the CLI fixes), each below:
 * - live's start line names exporters only (["file","http"]), never the --to URL or options; the
 *   --token-in-clear warning shows --to without user:password@ (urlForDisplay). (Corrected by the
 *   fix of live-to-http-url-password-logged: a --to with user:password@ is now refused at start,
 *   exit 2, without the secret; the start line and warning are checked with a plain --to.)
 * - --nats connect failure: the server shown without credentials for nats://u:p@h, http://u:p@h,
 *   nats:/u:p@h (one slash) and a bare u:p@h (natsServersForDisplay).
 * - the config file's errors never echo a secret: YAML unterminated quote on a token line, nested
 *   mapping after `token:`, a key twice, JSON syntax error and a control character inside the token
 *   string — each says line/column only; `token: [x]` says "a list".
 * - config numbers: `window: 30` is --window 30 (30 s), `batch-ms: 20` is 20 ms, `stats-every: 90`
 *   90 s, `rotate-age: 60` 60 s; `hep: 9060` refused as the flag's `--hep 9060` is (ports are
 *   host:port in both: no number option missed).
 * - replay with both exports.ndjson and reports.ndjson FIFOs mode 0222 run as uid 65534 (setpriv):
 *   both waits said, both readers get exactly a plain run's bytes, exit 0 (the probe descriptor is
 *   closed after the real open: no early EOF); SIGTERM during the wait: exit 130, nothing made.
 * - read, not tested: live.ts every(): stop() clears whichever chunk timer is current (timer is
 *   reassigned before each wait), the first tick comes after the whole period, the per-chunk
 *   re-arm drifts by the timers' lateness only; metrics.ts exposes no URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';
import { BIN, cli, SMALL_PCAP, start, until } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix2-ok-'));
  await chmod(dir, 0o777);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('start line and --token warning: no credentials of --to', async () => {
  const refused = cli(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'w-out'), '--to', 'http://user:s3cretPW@127.0.0.1:9/x', '--spool', path.join(dir, 'w-spool'), '--token', 'tok3nXYZ'], { timeout: 60_000 });
  expect(refused.status).toBe(2);
  expect(refused.stderr).toContain('--token');
  expect(refused.stderr).not.toContain('s3cretPW');
  expect(refused.stderr).not.toContain('tok3nXYZ');
  const live = start(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'w-out'), '--to', 'http://127.0.0.1:9/x', '--spool', path.join(dir, 'w-spool'), '--token', 'tok3nXYZ']);
  try {
    expect(await until(() => /"event":"start"/.test(live.err()), 90_000)).toBe(true);
    expect(live.err()).toContain('--token is sent in clear to http://127.0.0.1:9/x');
    expect(live.err()).not.toContain('s3cretPW');
    expect(live.err()).not.toContain('tok3nXYZ');
    live.child.kill('SIGTERM');
    await until(() => live.exited() !== undefined, 60_000);
  } finally {
    if (live.exited() === undefined) live.child.kill('SIGKILL');
  }
}, 200_000);

it('--nats connect failure: credentials not shown', () => {
  for (const n of ['nats://user:s3cretPW@nohost.invalid:4222', 'http://user:s3cretPW@nohost.invalid:4222', 'nats:/user:s3cretPW@nohost.invalid:4222', 'user:s3cretPW@nohost.invalid']) {
    const r = cli(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'n-out'), '--nats', n], { timeout: 60_000 });
    expect(r.status, n).not.toBe(0);
    expect(r.stderr, n).toContain('--nats');
    expect(r.stderr, n).not.toContain('s3cretPW');
  }
}, 300_000);

it('config parse errors do not echo a token', async () => {
  const files: Record<string, string> = {
    'a.yaml': 'hep: 127.0.0.1:0\ntoken: "s3cretTOKEN\nout: /x\n',
    'b.yaml': 'hep: 127.0.0.1:0\ntoken: s3cretTOKEN\n  x: 1\n',
    'c.json': '{"hep":"127.0.0.1:0","token":"s3cretTOKEN" "out":"/x"}',
    'd.yaml': 'hep: 127.0.0.1:0\ntoken: s3cretTOKEN\ntoken: other\n',
    'f.json': '{"hep":"127.0.0.1:0","token":"s3cret\u0001TOKEN"}',
    'g.yaml': 'hep: 127.0.0.1:0\ntoken: [s3cretTOKEN]\n',
  };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await writeFile(file, text);
    const err = await liveOptionsFromArgs(['--config', file]).then(() => undefined, (e: unknown) => e);
    expect(err, name).toBeInstanceOf(UsageError);
    expect(String((err as Error).message), name).not.toContain('s3cret');
  }
});

it('config numbers read as the flags read the same text', async () => {
  const file = path.join(dir, 'n.yaml');
  await writeFile(file, `hep: 127.0.0.1:0\nout: ${path.join(dir, 'cfg-out')}\nwindow: 30\nbatch-ms: 20\nstats-every: 90\nrotate-age: 60\n`);
  const o = await liveOptionsFromArgs(['--config', file]);
  const f = await liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--out', path.join(dir, 'cfg-out'), '--window', '30', '--batch-ms', '20', '--stats-every', '90', '--rotate-age', '60']);
  expect([o.windowSec, o.batchMs, o.statsSec, o.rotateAgeSec]).toEqual([30, 20, 90, 60]);
  expect([f.windowSec, f.batchMs, f.statsSec, f.rotateAgeSec]).toEqual([30, 20, 90, 60]);
  await writeFile(file, 'hep: 9060\n');
  await expect(liveOptionsFromArgs(['--config', file])).rejects.toBeInstanceOf(UsageError);
  await expect(liveOptionsFromArgs(['--hep', '9060'])).rejects.toBeInstanceOf(UsageError);
});

const root = process.getuid?.() === 0;
const usable = process.platform === 'linux' && root && spawnSync('setpriv', ['--version']).status === 0 && spawnSync('mkfifo', ['--version']).status === 0;

function asNobody(argv: string[]) {
  const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (err += c));
  child.once('exit', (code, signal) => (exit = { code, signal }));
  return { child, err: () => err, exited: () => exit };
}

it.skipIf(!usable)('two write-only FIFOs: each reader gets a plain run\'s bytes, exit 0', async () => {
  const plain = path.join(dir, 'plain');
  expect(cli(['replay', SMALL_PCAP, '--out', plain, '--workers', '0']).status).toBe(0);
  const out = path.join(dir, 'fifo2');
  await mkdir(out, { mode: 0o777 });
  await chmod(out, 0o777);
  for (const f of ['exports.ndjson', 'reports.ndjson']) {
    expect(spawnSync('mkfifo', ['-m', '0222', path.join(out, f)]).status).toBe(0);
    await chmod(path.join(out, f), 0o222);
  }
  const run = asNobody(['replay', SMALL_PCAP, '--out', out, '--workers', '0']);
  try {
    expect(await until(() => run.err().includes('exports.ndjson: waiting for a reader'), 90_000)).toBe(true);
    const ex = readFile(path.join(out, 'exports.ndjson'), 'utf8');
    expect(await until(() => run.err().includes('reports.ndjson: waiting for a reader') || run.exited() !== undefined, 90_000)).toBe(true);
    const rep = readFile(path.join(out, 'reports.ndjson'), 'utf8');
    expect(await ex).toBe(await readFile(path.join(plain, 'exports.ndjson'), 'utf8'));
    expect(await rep).toBe(await readFile(path.join(plain, 'reports.ndjson'), 'utf8'));
    await until(() => run.exited() !== undefined, 60_000);
    expect(run.exited()).toEqual({ code: 0, signal: null });
  } finally {
    if (run.exited() === undefined) run.child.kill('SIGKILL');
  }
}, 300_000);

it.skipIf(!usable)('a write-only FIFO: SIGTERM during the wait → exit 130, nothing made', async () => {
  const out = path.join(dir, 'fifo-term');
  await mkdir(out, { mode: 0o777 });
  await chmod(out, 0o777);
  expect(spawnSync('mkfifo', ['-m', '0222', path.join(out, 'exports.ndjson')]).status).toBe(0);
  await chmod(path.join(out, 'exports.ndjson'), 0o222);
  const run = asNobody(['replay', SMALL_PCAP, '--out', out, '--workers', '0']);
  try {
    expect(await until(() => run.err().includes('waiting for a reader'), 90_000)).toBe(true);
    run.child.kill('SIGTERM');
    await until(() => run.exited() !== undefined, 60_000);
    expect(run.exited()).toEqual({ code: 130, signal: null });
    expect(existsSync(path.join(out, 'reports.ndjson'))).toBe(false);
  } finally {
    if (run.exited() === undefined) run.child.kill('SIGKILL');
  }
}, 300_000);
