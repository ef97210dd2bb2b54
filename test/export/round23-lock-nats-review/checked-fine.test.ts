/**
 * Review of 84c8789 (src/export/dir-lock.ts) and 412db87 (src/export/nats-exporter.ts, src/cli/live.ts,
 * live-options.ts). Checked and FINE (these pass):
 * - lock, control for break-guard-judged-by-mtime-on-skewed-mount: the same two-clearer race with a
 *   slow unlink, `.break` stamped by this host's clock — exactly one holder, the other refused
 *   naming this pid (the guard works where mtimes agree);
 * - lock, an owner-less (partial) lock rewritten in place with other text of the same size and the
 *   same mtime (utimes restored) three times 1 s apart: not taken before 5 s after the last change
 *   (the text is compared, 84c8789's sameLock), taken within the 10 s deadline; a partial lock
 *   replaced by another file (new inode) with the same text, size and mtime: waited for again from
 *   the replacement (the inode is compared);
 * - lock, two processes (dist, test/export/lock-child.mjs, one agreed millisecond) racing on a
 *   half-written (empty, a minute old) lock, 2 folders at once: in each exactly one "ok", the
 *   other refused naming the winner's pid — neither waits beyond the deadline, never two holders;
 * - lock, releaseLock with another's lock of the same length in its place (a token differing in
 *   one character): left as it is;
 * - NATS, three exporters in one process on one real nats-server, restarted under them (each
 *   redials through its wrapped protocol.dial): all three deliver after the restart; two sockets of
 *   "another library" in the same process — one connected to the nats-server, one to a silent
 *   listener — are neither destroyed nor closed by the three closes; `net.client.socket` has no
 *   subscriber after; each close resolves within grace + drain;
 * - live --nats (real nats-server): SIGTERM → exit 0 within a few seconds, the `stop` line written
 *   and the last line of stderr (leaveOnceLogged waits for stderr);
 * - refusals and failure lines with '@', ':', '%40', '%2C', ',' in user or password (schemed
 *   values): `nats://u:p@s,Xw@h` (different credentials), `nats://u@x:Xp%40s@h`, `nats://u:Xp:s@h`,
 *   `nats://u:Xp%2Cs@h`, `tls://u:Xa,b@h`, `nats://u:X1,2,3@h`, `u:Xp@h,nats://h2`,
 *   `nats://h2,nats://u:Xp,q@h`, `nats://u:X,@h`, `nats://u:X@,h@h` — no piece of the password
 *   (marked X) on stderr.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { hasSubscribers } from 'node:diagnostics_channel';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, open as realOpen, rename, rm, utimes, writeFile as realWriteFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = vi.hoisted(() => ({ slowUnlinks: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const unlink = async (file: unknown): Promise<void> => {
    if (String(file).endsWith('/exports.lock') && mode.slowUnlinks > 0) {
      mode.slowUnlinks--;
      await new Promise((r) => setTimeout(r, 300));
    }
    return real.unlink(file as string);
  };
  return { ...real, default: { ...real, unlink }, unlink };
});

const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');
const { NatsJetStreamExporter } = await import('../../../src/export/nats-exporter.js');
const { NATS_SERVER, NatsServerProcess, freeTcpPort } = await import('../nats-server-process.js');
const { REPO } = await import('../../live/live-helpers.js');

const linux = existsSync('/proc/sys/kernel/random/boot_id');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
const refusal = (owner: string) => `refused (${owner})`;

let dir: string;
beforeEach(async () => {
  mode.slowUnlinks = 0;
  dir = await mkdtemp(join(tmpdir(), 'r23-pass-'));
});
afterEach(async () => {
  mode.slowUnlinks = 0;
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!linux)('lock', () => {
  it('control: two clearers of a stale lock, a slow unlink, .break stamped by this clock — one holder', async () => {
    const lock = join(dir, 'exports.lock');
    await realWriteFile(lock, `${deadPid()} ${hostname()} 11111111-dead-4000-8000-000000000000 ${bootId()}/1\n`);
    mode.slowUnlinks = 1;
    const b = takeLock(lock, dir, refusal);
    await sleep(100);
    const c = takeLock(lock, dir, refusal);
    const rs = await Promise.allSettled([b, c]);
    for (const r of rs) if (r.status === 'fulfilled') await releaseLock(lock, r.value);
    expect(rs.filter((r) => r.status === 'fulfilled').length).toBe(1);
    expect(String((rs.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(new RegExp(`refused \\(pid ${process.pid}\\)`));
  });

  it('a partial lock changing text (same size, same mtime) is waited for until 5 s after its last change', async () => {
    const lock = join(dir, 'exports.lock');
    const old = new Date(Date.now() - 60_000);
    await realWriteFile(lock, '1234 hostA');
    await utimes(lock, old, old);
    const t0 = Date.now();
    let doneAt = 0;
    const taking = takeLock(lock, dir, refusal).then((t) => ((doneAt = Date.now() - t0), t));
    for (const text of ['1234 hostB', '1234 hostC', '1234 hostD']) {
      await sleep(1000);
      const h = await realOpen(lock, 'r+');
      await h.write(text, 0);
      await h.close();
      await utimes(lock, old, old);
    }
    const lastChange = Date.now() - t0;
    const token = await taking;
    expect(doneAt).toBeGreaterThanOrEqual(lastChange + 4900);
    expect(readFileSync(lock, 'utf8')).toBe(`${token}\n`);
    await releaseLock(lock, token);
  }, 15_000);

  it('a partial lock replaced by another file (same text, size, mtime; new inode) is waited for again', async () => {
    const lock = join(dir, 'exports.lock');
    const old = new Date(Date.now() - 60_000);
    await realWriteFile(lock, '1234 hostA');
    await utimes(lock, old, old);
    const t0 = Date.now();
    let doneAt = 0;
    const taking = takeLock(lock, dir, refusal).then((t) => ((doneAt = Date.now() - t0), t));
    await sleep(2500);
    const other = join(dir, 'other');
    await realWriteFile(other, '1234 hostA');
    await utimes(other, old, old);
    await rename(other, lock);
    const replacedAt = Date.now() - t0;
    const token = await taking;
    expect(doneAt).toBeGreaterThanOrEqual(replacedAt + 4900);
    await releaseLock(lock, token);
  }, 15_000);

  it('two processes racing on a half-written (empty, old) lock: one takes it, the other is refused naming it', async () => {
    const child = join(REPO, 'test/export/lock-child.mjs');
    const dirs = [await mkdtemp(join(tmpdir(), 'r23-pass-race-')), await mkdtemp(join(tmpdir(), 'r23-pass-race-'))];
    try {
      const old = new Date(Date.now() - 60_000);
      for (const d of dirs) {
        await realWriteFile(join(d, 'exports.lock'), '');
        await utimes(join(d, 'exports.lock'), old, old);
      }
      const at = String(Date.now() + 500);
      const run = (d: string) =>
        new Promise<string>((resolve) => {
          const c = spawn(process.execPath, [child, d, '1500', at], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          c.stdout.on('data', (x: Buffer) => (out += x.toString()));
          c.on('close', () => resolve(out.trim()));
        });
      const outs = await Promise.all(dirs.flatMap((d) => [run(d), run(d)]));
      for (const pair of [outs.slice(0, 2), outs.slice(2)]) {
        expect(pair.filter((o) => o === 'ok').length, pair.join(' | ')).toBe(1);
        expect(pair.find((o) => o !== 'ok')).toMatch(/^refused .*another exporter \(pid \d+, /);
      }
    } finally {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  }, 30_000);

  it("releaseLock leaves another's lock of the same length", async () => {
    const lock = join(dir, 'exports.lock');
    const token = await takeLock(lock, dir, refusal);
    const other = token.slice(0, -1) + (token.endsWith('1') ? '2' : '1');
    await realWriteFile(lock, `${other}\n`);
    await releaseLock(lock, token);
    expect(readFileSync(lock, 'utf8')).toBe(`${other}\n`);
  });
});

describe.skipIf(!NATS_SERVER)('NATS', () => {
  it('three exporters in one process, a restart under them; foreign sockets untouched by their closes; no subscriber left', async () => {
    const store = await mkdtemp(join(tmpdir(), 'r23-pass-nats-'));
    let server = await NatsServerProcess.start(store);
    const silent = createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const foreign: Socket[] = [];
    try {
      const opts = (stream: string, prefix: string) => ({ servers: server.url, stream, subjectPrefix: prefix, maxRetentionSec: 3600, timeoutMs: 500, backoff: { baseMs: 20, maxMs: 200 }, connection: { reconnectTimeWait: 50, timeout: 1000 } });
      const exporters = await Promise.all([0, 1, 2].map((i) => NatsJetStreamExporter.open(opts(`S${i}`, `p${i}`))));
      expect(hasSubscribers('net.client.socket')).toBe(false);
      for (const port of [server.port, (silent.address() as { port: number }).port]) {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        await new Promise((r) => s.once('connect', r));
        foreign.push(s);
      }
      await server.stop();
      await sleep(500);
      server = await NatsServerProcess.start(store, server.port);
      const line = (i: number) => ({ type: 'report', requestId: `r23-${i}-${Date.now()}`, ts: Date.now() / 1000 }) as never;
      await Promise.all(exporters.map((e, i) => e.send(line(i))));
      for (const e of exporters) expect(e.stats.published).toBe(1);
      // the foreign connection to the restarted server's old process is gone with it; make a fresh one
      const s = connect(server.port, '127.0.0.1');
      s.on('error', () => undefined);
      await new Promise((r) => s.once('connect', r));
      foreign[0] = s;
      const t0 = Date.now();
      await Promise.all(exporters.map((e) => e.close(500)));
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(hasSubscribers('net.client.socket')).toBe(false);
      await sleep(200);
      for (const f of foreign) expect(f.destroyed).toBe(false);
    } finally {
      for (const f of foreign) f.destroy();
      await new Promise((r) => silent.close(r));
      await server.stop();
      await rm(store, { recursive: true, force: true });
    }
  }, 30_000);

  it('live --nats: SIGTERM → exit 0, the stop line last on stderr', async () => {
    const store = await mkdtemp(join(tmpdir(), 'r23-pass-live-'));
    const server = await NatsServerProcess.start(store);
    try {
      const c = spawn(process.execPath, [join(REPO, 'bin/aipref-enforcer.js'), 'live', '--udp', '127.0.0.1:0', '--out', dir, '--nats', server.url], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d) => (err += d));
      const exited = new Promise<number | null>((r) => c.once('close', (code) => r(code)));
      for (let i = 0; i < 150 && !err.includes('"event":"start"'); i++) await sleep(100);
      expect(err).toContain('"event":"start"');
      const t0 = Date.now();
      c.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(15_000).then(() => 'still running')]);
      expect(code).toBe(0);
      expect(Date.now() - t0).toBeLessThan(8000);
      const lines = err.trim().split('\n');
      expect(lines.at(-1)).toContain('"event":"stop"');
    } finally {
      await server.stop();
      await rm(store, { recursive: true, force: true });
    }
  }, 30_000);

  it("refusals and failure lines show no piece of a password holding '@', ':', '%40', '%2C' or ','", async () => {
    const p = await freeTcpPort();
    const q = await freeTcpPort();
    const values = [
      `nats://u:p@s,Xw@127.0.0.1:${p}`,
      `nats://u@x:Xp%40s@127.0.0.1:${p}`,
      `nats://u:Xp:s@127.0.0.1:${p}`,
      `nats://u:Xp%2Cs@127.0.0.1:${p}`,
      `tls://u:Xa,b@127.0.0.1:${p}`,
      `nats://u:X1,2,3@127.0.0.1:${p}`,
      `u:Xp@127.0.0.1:${p},nats://127.0.0.1:${q}`,
      `nats://127.0.0.1:${q},nats://u:Xp,q@127.0.0.1:${p}`,
      `nats://u:X,@127.0.0.1:${p}`,
      `nats://u:X@,h@127.0.0.1:${p}`,
    ];
    for (const v of values) {
      const r = spawnSync(process.execPath, [join(REPO, 'bin/aipref-enforcer.js'), 'live', '--udp', '127.0.0.1:0', '--out', dir, '--nats', v], { encoding: 'utf8', timeout: 20_000 });
      expect([1, 2], v).toContain(r.status);
      expect(r.stderr, v).not.toMatch(/X/);
    }
  }, 120_000);
});
