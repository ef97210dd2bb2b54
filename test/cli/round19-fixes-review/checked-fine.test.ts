/**
 * Checked and found fine (round 19's own fixes: 8d560c6, b69cfed, e8561b5, c16409a/c05f55a):
 * - dir-lock (8d560c6), one taker, real file system: a fresh take and release leave no `.break`
 *   and no `.tmp`; a lock of a killed process is taken over at once (well under 1 s), nothing
 *   left; a `.break` left by a killed taker (its line names a dead pid), old or young, is cleared at
 *   once; an empty `.break` (a taker killed before writing its line, or one clearing right now) is
 *   waited for ~5 s and the lock then taken, well within the 10 s deadline; a lock of a running node process (a child holding it) is
 *   refused with its pid and stays in place, content unchanged.
 * - b69cfed: boolean flags given `=` values (`--quiet=`, `--quiet=false`, `--json=`, live's
 *   `--quiet=`) are bad usage, exit 2, naming the option (parseArgs); an empty value in live's config
 *   file (`token: ''`) is bad usage naming the file and key; a capture where every datagram is cut
 *   by the snap length: `replay --to udp://` sends nothing, `{"sent":0,"skipped":N}` = every
 *   record, exactly two stderr lines (the first cut with frame and byte offset, then the count),
 *   in `--udp-mode ip-packet` too (the cut check comes before the mode); IP fragments cut by the
 *   snap length are malformed in the decoder (never reassembled, never sent) — read in
 *   native-free/packet-decoder.ts, not run.
 * - e8561b5: `--version` through a symlinked command (a global install by `npm link` or a bin
 *   symlink in a PATH folder) finds the package's version (Node runs the symlink's real path);
 *   `--version` / `version` followed by other arguments prints the version and exits 0.
 * - c16409a: every path the example config writes (out, and the commented spool) lies in the
 *   unit's StateDirectory (/var/lib/aipref), which systemd makes writable under
 *   ProtectSystem=strict and owns by User=; the lock files, `.break`, `.tmp` and spool segments all
 *   live inside those folders; nothing is written to /tmp (PrivateTmp harmless); the policy and
 *   config are read from /etc (readable under ProtectSystem=strict). TimeoutStopSec=30 covers
 *   NATS's 5 s + 2 s drain and the HTTP exporter's stop (it aborts in-flight requests, which stay
 *   spooled).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeLock, releaseLock } from '../../../src/export/dir-lock.js';
import { BIN, cli, SMALL_POLICY, smallCapture, Workspace } from '../../e2e/e2e-helpers.js';

const dirs: string[] = [];
const ws = new Workspace();
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  await ws.cleanup();
});
const fresh = async (name: string) => {
  const d = await mkdtemp(path.join(tmpdir(), `round19-ok-${name}-`));
  dirs.push(d);
  return d;
};
const refusal = (owner: string) => `in use (${owner})`;
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('dir-lock, one taker', () => {
  it('take and release leave no .break or .tmp', async () => {
    const dir = await fresh('plain');
    const lock = path.join(dir, 'spool.lock');
    const t = await takeLock(lock, dir, refusal);
    expect(await readdir(dir)).toEqual(['spool.lock']);
    await releaseLock(lock, t);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a killed process's lock is taken over at once, nothing left behind", async () => {
    const dir = await fresh('stale');
    const lock = path.join(dir, 'spool.lock');
    writeFileSync(lock, `${deadPid()} ${hostname()} x\n`);
    const t0 = Date.now();
    const t = await takeLock(lock, dir, refusal);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await readdir(dir)).toEqual(['spool.lock']);
    await releaseLock(lock, t);
  });

  // a .break whose line names a dead pid of this host is a killed clearer's: cleared at once, whatever
  // its mtime; one its line cannot judge (empty: a clearer killed before its write) is watched ~5 s
  // unchanged by the taker's own clock (test/export/round23-fixes-review)
  it('a .break of a killed taker, old or young by its mtime, is cleared at once', async () => {
    for (const ageMs of [60_000, 0]) {
      const dir = await fresh('break');
      const lock = path.join(dir, 'spool.lock');
      writeFileSync(lock, `${deadPid()} ${hostname()} x\n`);
      writeFileSync(`${lock}.break`, `${deadPid()} ${hostname()} y\n`);
      const at = new Date(Date.now() - ageMs);
      utimesSync(`${lock}.break`, at, at);
      const t0 = Date.now();
      const t = await takeLock(lock, dir, refusal);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(await readdir(dir)).toEqual(['spool.lock']);
      await releaseLock(lock, t);
    }
  }, 20_000);

  it('an empty .break, old or young by its mtime, is waited for ~5 s, within the deadline', async () => {
    for (const ageMs of [60_000, 0]) {
      const dir = await fresh('break-empty');
      const lock = path.join(dir, 'spool.lock');
      writeFileSync(lock, `${deadPid()} ${hostname()} x\n`);
      writeFileSync(`${lock}.break`, '');
      const at = new Date(Date.now() - ageMs);
      utimesSync(`${lock}.break`, at, at);
      const t0 = Date.now();
      const t = await takeLock(lock, dir, refusal);
      const took = Date.now() - t0;
      expect(took).toBeGreaterThan(4000);
      expect(took).toBeLessThan(7000);
      expect(await readdir(dir)).toEqual(['spool.lock']);
      await releaseLock(lock, t);
    }
  }, 20_000);

  it("a running node process's lock is refused and left as it is", async () => {
    const dir = await fresh('running');
    const lock = path.join(dir, 'spool.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      const text = `${child.pid} ${hostname()} z\n`;
      writeFileSync(lock, text);
      await expect(takeLock(lock, dir, refusal)).rejects.toThrow(`in use (pid ${child.pid})`);
      expect(readFileSync(lock, 'utf8')).toBe(text);
      expect(await readdir(dir)).toEqual(['spool.lock']);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('b69cfed', () => {
  it.each([
    ['replay', 'samples/call-small.pcap', '--quiet='],
    ['replay', 'samples/call-small.pcap', '--quiet=false'],
    ['replay', 'samples/call-small.pcap', '--json='],
    ['live', '--hep', '127.0.0.1:0', '--quiet='],
  ])('%s … %s: boolean flag with = is bad usage', async (...args) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/Option '--(quiet|json)' does not take an argument/);
  });

  it("an empty value in live's config file names the file and key, exit 2", async () => {
    const dir = await fresh('cfg');
    const cfg = path.join(dir, 'live.yaml');
    await writeFile(cfg, `hep: 127.0.0.1:0\npolicy: ${SMALL_POLICY}\nout: ${dir}/out\nhep-auth-key: ''\n`);
    const r = await cli('live', '--config', cfg);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain(`config key 'hep-auth-key': --hep-auth-key needs a value`);
  });

  it.each([['plain'], ['ip-packet']])('every datagram cut (--udp-mode %s): nothing sent, all skipped, two stderr lines', async (mode) => {
    const cap = await ws.generate({ ...smallCapture(3, 2), snapLen: 60 });
    const sock = createSocket('udp4');
    let received = 0;
    sock.on('message', () => received++);
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    try {
      const records = (await cli('inspect', cap.path, '--json', '--quiet')).stdout.trim().split('\n').length;
      const r = await cli('replay', cap.path, '--to', `udp://127.0.0.1:${sock.address().port}`, '--speed', '0', '--udp-mode', mode);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ sent: 0, skipped: records });
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/at byte \d+: frame 1: \d+ of its \d+ payload bytes captured/);
      expect(lines[1]).toContain(`${records} records cut by the capture's snap length were not sent`);
      await new Promise((res) => setTimeout(res, 100));
      expect(received).toBe(0);
    } finally {
      sock.close();
    }
  });
});

describe('e8561b5', () => {
  const VERSION = (JSON.parse(readFileSync(path.resolve(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
  it('--version through a symlinked command, and with other arguments after it', async () => {
    const dir = await fresh('bin');
    await mkdir(path.join(dir, 'bin'));
    const link = path.join(dir, 'bin', 'aipref-enforcer');
    await symlink(BIN, link);
    const r = spawnSync(process.execPath, [link, '--version'], { encoding: 'utf8' });
    expect({ code: r.status, out: r.stdout }).toEqual({ code: 0, out: `aipref-enforcer ${VERSION}\n` });
    for (const args of [['--version', 'replay'], ['version', '--json']]) {
      const o = await cli(...args);
      expect(o).toEqual({ code: 0, stdout: `aipref-enforcer ${VERSION}\n`, stderr: '' });
    }
  });
});

describe('c16409a: the unit and the example config', () => {
  const unit = readFileSync(path.resolve(process.cwd(), 'contrib/systemd/aipref-enforcer.service'), 'utf8');
  const config = readFileSync(path.resolve(process.cwd(), 'contrib/live.yaml'), 'utf8');
  const setting = (k: string) => unit.split('\n').filter((l) => l.startsWith(`${k}=`)).at(-1)?.slice(k.length + 1);
  it('every path the config writes is in the state folder, writable under ProtectSystem=strict', () => {
    expect(setting('ProtectSystem')).toBe('strict');
    const state = `/var/lib/${setting('StateDirectory')}`;
    const writable = [state, ...(setting('ReadWritePaths') ?? '').split(/\s+/)];
    const written = [...config.matchAll(/^#?\s*(out|spool): (\S+)$/gm)].map((m) => m[2]!);
    expect(written).toEqual(['/var/lib/aipref', '/var/lib/aipref/spool']);
    for (const p of written) expect(writable.some((w) => p === w || p.startsWith(`${w}/`)), p).toBe(true);
    for (const p of [...config.matchAll(/^#?\s*(policy|uri-ca): (\S+)$/gm)].map((m) => m[2]!)) expect(p.startsWith('/etc/')).toBe(true);
  });
});
