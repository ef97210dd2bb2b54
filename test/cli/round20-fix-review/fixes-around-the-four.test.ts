/**
 * Found by a review of this session's fixes (round 20), fixed since: usage lines name the refused
 * occurrence and never a secret's value (src/cli/args.ts usageMessage, urlForDisplay); config
 * numbers only for counts and durations (src/cli/live-options.ts readConfig); --batch-ms bounded
 * at a timer's limit (live-options.ts batchMs); a FIFO the replay may not read is waited for
 * without a blocked open (src/cli/replay.ts openFifoUnreadable).
 * Input: `--window 10s --window -5`; `--to -x`, `--nats -x`, `--to ftp://user:pass@host`; config
 *   `batch-ms: 20`, `window: 30`, `rotate-bytes: 12345678901234567890`, `token: [s3cret]`;
 *   `--batch-ms 3000000000`; a 0222 FIFO whose reader comes after the "waiting" line.
 * Was: the first occurrence's value shown ('10s'); a URL's password or a listed token echoed;
 *   any number turned into text; a 1 ms pause (TimeoutOverflowWarning); the FIFO open blocked.
 * Correct: '-5' shown; no secret shown; counts/durations as numbers, exact or refused; exit 2
 *   naming --batch-ms and 2147483647; the FIFO gets a plain run's bytes, exit 0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseOptions } from '../../../src/cli/args.js';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';
import { BIN, cli, SMALL_PCAP, SMALL_POLICY, until } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix-more-'));
  await chmod(dir, 0o777);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** 'usage: <message>' for a UsageError, 'error: <message>' for another, 'ok' when accepted. */
async function opts(args: string[]): Promise<string> {
  try {
    await liveOptionsFromArgs(args);
    return 'ok';
  } catch (err) {
    return `${err instanceof UsageError ? 'usage' : 'error'}: ${(err as Error).message}`;
  }
}

function usage(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (err) {
    return err instanceof UsageError ? err.message : `not usage: ${String(err)}`;
  }
}

it('the dash value refused is the occurrence refused; a secret option\'s never shown', async () => {
  expect(usage(() => parseOptions(['--window', '10s', '--window', '-5'], { window: { type: 'string' } }))).toBe("--window needs a value: '-5' looks like an option (write --window=-5 to give it)");
  for (const [option, value] of [['--to', '-user:pAss@host'], ['--nats', '-user:pAss@host'], ['--hep-auth-key', '-pAss'], ['--token', '-pAss']] as const) {
    const line = usage(() => parseOptions([option, value], { to: { type: 'string' }, nats: { type: 'string' }, 'hep-auth-key': { type: 'string' }, token: { type: 'string' } }));
    expect(line).toBe(`${option} needs a value: the next argument looks like an option (write ${option}=<value> to give a value starting with '-')`);
  }
  // a URL refused for its scheme is shown without its credentials
  const to = await opts(['--hep', '127.0.0.1:1', '--to', 'ftp://user:pAss@ai.example/in', '--spool', path.join(dir, 'spool')]);
  expect(to).toBe("usage: --to takes an http(s):// or ws(s):// URL, not 'ftp://ai.example/in'");
});

it('config numbers: counts and durations taken (exact), anything else refused without its value', async () => {
  const file = async (name: string, text: string) => {
    const at = path.join(dir, name);
    await writeFile(at, text);
    return at;
  };
  const o = await liveOptionsFromArgs(['--config', await file('n.yaml', 'hep: 127.0.0.1:9060\nbatch-ms: 20\nwindow: 30\nworkers: 0\nstats-every: 90\n')]);
  expect({ batchMs: o.batchMs, windowSec: o.windowSec, workers: o.workers, statsSec: o.statsSec }).toEqual({ batchMs: 20, windowSec: 30, workers: 0, statsSec: 90 });
  expect(await opts(['--config', await file('big.json', '{"hep":"127.0.0.1:1","out":"o","rotate-bytes":12345678901234567890}')])).toMatch(/^usage: .*config key 'rotate-bytes' takes a whole number/);
  expect(await opts(['--config', await file('k.yaml', 'hep: 127.0.0.1:9060\nhep-auth-key: 0123\n')])).toMatch(/^usage: .*config key 'hep-auth-key' takes text, not a number .*give it as a string \(in quotes\)$/);
  const listed = await opts(['--config', await file('t.yaml', 'hep: 127.0.0.1:9060\nto: https://ai.example/in\nspool: /s\ntoken: [s3cretT0ken]\n')]);
  expect(listed).toMatch(/^usage: .*config key 'token' takes a string, not a list$/);
  // quoted, it is the text as written
  expect((await liveOptionsFromArgs(['--config', await file('q.yaml', 'hep: 127.0.0.1:9060\nhep-auth-key: "0123"\n')])).hepAuthKey).toBe('0123');
});

it('--batch-ms over a timer\'s limit: refused naming the largest value (exit 2, one line); at the limit taken', async () => {
  expect(await opts(['--hep', '127.0.0.1:1', '--batch-ms', '2147483647'])).toBe('ok');
  expect(await opts(['--hep', '127.0.0.1:1', '--batch-ms', '3000000000'])).toBe("usage: --batch-ms takes at most 2147483647 (ms, about 24.8 days), not '3000000000'");
  const r = cli(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'never'), '--batch-ms', '3000000000']);
  expect({ status: r.status, first: r.stderr.split('\n')[0] }).toEqual({ status: 2, first: "aipref-enforcer live: --batch-ms takes at most 2147483647 (ms, about 24.8 days), not '3000000000'" });
});

const root = process.getuid?.() === 0;
const usable = process.platform === 'linux' && root && spawnSync('setpriv', ['--version']).status === 0 && spawnSync('mkfifo', ['--version']).status === 0;

it.skipIf(!usable)('a FIFO it may write but not read, its reader coming after the "waiting" line: a plain run\'s bytes, exit 0', async () => {
  const plainOut = path.join(dir, 'plain');
  expect(cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', plainOut, '--workers', '0', '--quiet']).status).toBe(0);
  const out = path.join(dir, 'wo');
  await mkdir(out);
  await chmod(out, 0o777);
  expect(spawnSync('mkfifo', ['-m', '0222', path.join(out, 'exports.ndjson')]).status).toBe(0);
  await chmod(path.join(out, 'exports.ndjson'), 0o222);
  const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--workers', '0', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (err += c));
  const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  try {
    expect(await until(() => err.includes('waiting for a reader'), 90_000)).toBe(true);
    // the reader (root: it may read the FIFO)
    const cat = spawn('cat', [path.join(out, 'exports.ndjson')], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    cat.stdout.setEncoding('utf8');
    cat.stdout.on('data', (d: string) => (text += d));
    await new Promise((resolve) => cat.once('close', resolve));
    expect(await code).toBe(0);
    expect(text).toBe(await readFile(path.join(plainOut, 'exports.ndjson'), 'utf8'));
    expect(await readFile(path.join(out, 'reports.ndjson'), 'utf8')).toBe(await readFile(path.join(plainOut, 'reports.ndjson'), 'utf8'));
    expect(err.trim().split('\n')).toEqual([`aipref-enforcer replay: ${path.join(out, 'exports.ndjson')}: waiting for a reader (a FIFO)`]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}, 240_000);
