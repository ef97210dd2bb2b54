/**
 * The live service and the NDJSON locks: SIGHUP, a second service on the
 * same --out, a lock of one base held while another is free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveChild, REPO } from './live-helpers.js';

const POLICY = path.join(REPO, 'samples/policy.json');
const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
const dirs: string[] = [];
const procs: ChildProcess[] = [];
const lives: LiveChild[] = [];
afterEach(async () => {
  for (const l of lives.splice(0)) if (l.child.exitCode === null) await l.terminate(5000);
  for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function runLive(args: string[], timeoutMs: number): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'live', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(child);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, stderr, timedOut: true });
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, timedOut: false });
    });
  });
}

describe('live --out lock', () => {
  it('SIGHUP reloads without tripping the lock; a second service on the same --out is refused; stop removes the locks', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'aipref-live-lock-'));
    dirs.push(dir);
    const out = path.join(dir, 'out');
    const { live } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', POLICY, '--out', out, '--workers', '0', '--batch-ms', '5']);
    lives.push(live);
    live.child.kill('SIGHUP');
    await live.waitFor((l) => l.event === 'reload' || l.event === 'reload-failed');
    expect(live.logs.filter((l) => l.level === 'error')).toEqual([]);
    const second = await runLive(['--udp', '127.0.0.1:0', '--policy', POLICY, '--out', out, '--workers', '0'], 15_000);
    expect(second.timedOut).toBe(false);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/being written by another exporter/);
    expect(await live.terminate()).toBe(0);
    expect(existsSync(path.join(out, 'exports.lock'))).toBe(false);
    expect(existsSync(path.join(out, 'reports.lock'))).toBe(false);
  }, 40_000);

  it('reports.lock held by a running process, exports free: the service is refused and exits, leaving no lock of its own', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'aipref-live-lock-'));
    dirs.push(dir);
    const out = path.join(dir, 'out');
    // a node process: a lock naming a pid that now runs another program counts as stale
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    procs.push(sleeper);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'reports.lock'), `${sleeper.pid}\n`);
    const r = await runLive(['--udp', '127.0.0.1:0', '--policy', POLICY, '--out', out, '--workers', '0'], 15_000);
    expect(r.timedOut).toBe(false);
    expect(r.code).not.toBe(0);
    expect(existsSync(path.join(out, 'exports.lock'))).toBe(false);
  }, 30_000);
});
