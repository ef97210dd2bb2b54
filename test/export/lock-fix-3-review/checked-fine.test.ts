/**
 * Checked and fine (review of cf497f1):
 * 1. `live --version`, `replay --version`: the version on stdout, exit 0 (live's SIGHUP
 *    listener from bin does not keep the process).
 * 2. Many SIGHUPs while live's bundle loads (five, 10 ms apart, from the moment it catches
 *    SIGHUP — its SigCgt mask; first written as 80 ms after spawn, which a loaded CI missed): the
 *    service starts, is reloaded (at least once), is not killed, and stops on SIGTERM with exit 0.
 * 3. SIGHUP while `replay` loads: it dies of SIGHUP as before (bin notes it only for live).
 * 4. Two takers on a stale lock (dead pid), the real file system: one holds, the other is refused,
 *    well within the 10 s deadline (< 1 s); no `<lock>.<uuid>.tmp`, `.break` or `.break.<uuid>`
 *    is left in the folder; after release the folder is empty.
 * 5. Nothing in src/ touches a lock file's mtime (no utimes/futimes/touch): the identity a taker
 *    judges is only changed by the file being replaced.
 * 6. replay --to hep:// sends bytes resumed by a record before that record's own bytes, stamped
 *    with its time (as packet-feed resumeOthers reads them: before the record's own messages).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN, SMALL_POLICY } from '../../e2e/e2e-helpers.js';
import { cli } from '../../live/live-helpers.js';
import { releaseLock, takeLock } from '../../../src/export/dir-lock.js';
import { hepSink } from './hep-sink.js';
import { sip, writeTcpCapture } from '../../cli/round19-fixes-review/tcp-capture.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const temp = async (p: string) => {
  const d = await mkdtemp(path.join(tmpdir(), p));
  dirs.push(d);
  return d;
};

it('<command> --version prints the version', async () => {
  const version = (JSON.parse(readFileSync(path.resolve(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
  for (const cmd of ['live', 'replay']) {
    const r = spawnSync(process.execPath, [BIN, cmd, '--version'], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: `aipref-enforcer ${version}\n` });
  }
});

it('many SIGHUPs while live loads: started, reloaded, alive, stops with 0', async () => {
  const dir = await temp('k-pass-hup-');
  const policy = path.join(dir, 'policy.json');
  await copyFile(SMALL_POLICY, policy);
  const config = path.join(dir, 'live.yaml');
  await writeFile(config, `hep: 127.0.0.1:0\npolicy: ${policy}\nout: ${path.join(dir, 'state')}\n`);
  const child = spawn(process.execPath, [BIN, 'live', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    // from the moment the process catches SIGHUP (its SigCgt mask, as the systemd unit's
    // ExecStartPost waits for): before it, no program can keep a SIGHUP from ending the process,
    // and a loaded machine may take more than 80 ms to get there (CI saw it killed by SIGHUP)
    const catchesHup = () => {
      try {
        return /^SigCgt:\s*[0-9a-f]*[13579bdf]$/m.test(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    };
    const ready = Date.now() + 15_000;
    while (!catchesHup() && Date.now() < ready && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
    expect(catchesHup(), stderr).toBe(true);
    for (let i = 0; i < 5; i++) {
      child.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 10));
    }
    const end = Date.now() + 15_000;
    while (!stderr.includes('"event":"reload"') && Date.now() < end && child.exitCode === null && child.signalCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(child.signalCode, stderr).toBeNull();
    expect(stderr).toContain('"event":"start"');
    expect(stderr).toContain('"event":"reload"');
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  } finally {
    child.kill('SIGKILL');
  }
}, 30_000);

it('SIGHUP while replay loads ends it as before', async () => {
  const child = spawn(process.execPath, [BIN, 'replay', SMALL_POLICY], { stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((r) => setTimeout(r, 60));
  child.kill('SIGHUP');
  expect(await exited).toEqual({ code: null, signal: 'SIGHUP' });
});

it('two takers on a stale lock: one holds, quickly, nothing left behind', async () => {
  const dir = await temp('k-pass-lock-');
  const lock = path.join(dir, 'spool.lock');
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  await writeFile(lock, `${dead} ${hostname()} 00000000-0000-4000-8000-000000000000\n`);
  const t0 = Date.now();
  const outcomes = await Promise.allSettled([0, 1].map(() => takeLock(lock, dir, (o) => `in use (${o})`)));
  expect(Date.now() - t0).toBeLessThan(1000);
  const held = outcomes.filter((o): o is PromiseFulfilledResult<string> => o.status === 'fulfilled');
  expect(held).toHaveLength(1);
  expect(String((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/in use \(pid \d+\)/);
  expect(await readdir(dir)).toEqual(['spool.lock']);
  await releaseLock(lock, held[0]!.value);
  expect(await readdir(dir)).toEqual([]);
});

it('nothing in src/ touches a lock file\'s modification time', () => {
  const files = readdirSync(path.resolve(process.cwd(), 'src'), { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
  const touching = files.filter((f) => /\b(l?utimes|futimes)\b|\.utimes\(/.test(readFileSync(path.resolve(process.cwd(), 'src', f), 'utf8')));
  expect(touching).toEqual([]);
});

it('replay --to hep:// sends resumed bytes before the record\'s own, at its time', async () => {
  const dir = await temp('k-pass-order-');
  const cap = path.join(dir, 'order.pcap');
  const m1 = sip('OPTIONS sip:first@10.0.0.2 SIP/2.0', 'first-call');
  const m2 = sip('OPTIONS sip:second@10.0.0.2 SIP/2.0', 'second-call');
  const m3 = sip('OPTIONS sip:third@10.0.0.2 SIP/2.0', 'third-call');
  const ok = `SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-first-call\r\nFrom: <sip:a@10.0.0.1>;tag=first-call\r\nTo: <sip:b@10.0.0.2>;tag=s\r\nCall-ID: first-call\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  await writeTcpCapture(cap, [
    { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1 },
    { ts: 1.1, from: 'client', seq: 1000 + m1.length + m2.length, ack: 9000, payload: m3 },
    { ts: 1.5, from: 'server', seq: 9000, ack: 1000 + m1.length + m2.length + m3.length, payload: ok },
  ]);
  const sink = await hepSink();
  try {
    await cli(['replay', cap, '--to', `hep://127.0.0.1:${sink.port}`, '--speed', '0']);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.frames.map((f) => [f.text.split('\r\n')[0], f.ts, f.sport])).toEqual([
      ['OPTIONS sip:first@10.0.0.2 SIP/2.0', 1, 40000],
      ['OPTIONS sip:third@10.0.0.2 SIP/2.0', 1.5, 40000],
      ['SIP/2.0 200 OK', 1.5, 5060],
    ]);
  } finally {
    sink.close();
  }
});
