/**
 * Review of 5629da8 (src/export/dir-lock.ts) and 93aad08 (src/export/nats-exporter.ts watchDials /
 * endPendingDial, src/cli/live-options.ts natsServerList). Checked and FINE (these pass):
 * - lock timings, ordinary folder (hard links): a killed process's lock taken over well under 1 s,
 *   nothing left beside it; no hard links (link fails EPERM, simulated): an empty folder taken at once
 *   (the line written, no `.break`, the path checked), a killed process's lock taken over at once too;
 * - lock, one process, two takeLock calls on one path at once (LOCKS_HELD's early add), with and
 *   without hard links: exactly one holds, the other is refused naming this pid (not judged a stale
 *   lock of this pid); after the release a third takes it at once (no token of the refused one
 *   misjudges it); two paths in one process are both taken;
 * - lock, error paths: a lock path that is a folder is refused at once, and once it is removed the lock
 *   is taken at once (nothing of the refused taker left); no hard links, a `.break` rewritten every
 *   200 ms by a live clearer (of another host) for longer than the deadline: the taker that made its lock and wrote its
 *   line gives up at ~10 s and its lock is removed (releaseLock in the new catch), the clearer's
 *   `.break` untouched; no hard links, a taker whose line lands 6 s late after another took the lock
 *   (the round-23 finding, fixed): refused naming this pid, and its giving up (releaseLock of a token
 *   whose line never stayed at the path) leaves the holder's lock as it was;
 * - NATS, real nats-server: a 2.5 s outage with reconnectTimeWait 20 ms (dozens of dials, each
 *   refused): watchDials' set holds at most 2 sockets at any look (a given-up dial's socket dropped
 *   at once, a closed one at the next dial); the server back, the exporter publishes on its redialled
 *   connection (the live socket is not destroyed by the rejected dials' cleanup); a second exporter in
 *   the same process keeps publishing after the first closes; after close every socket seen made is
 *   destroyed and the set is empty, `closed` set;
 * - --nats lists: IPv6 (`[::1]:4222,[::2]:4222`), credentials or a token on the first entry (later
 *   ones inherit), `nats://u:p@a,b`, the same set adjacent, a later entry with credentials written
 *   with its scheme (any case) — taken; `[::1]:4222,u:p@[::2]:4222` refused by number with nothing of
 *   the value shown;
 * - live --nats against a real nats-server requiring user/password, a two-entry list with the
 *   credentials on the first: starts, publishes nothing secret — no piece of the password (nor the user)
 *   on stderr (start line included), stdout, or the /metrics page; SIGTERM → exit 0.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, rmdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = vi.hoisted(() => ({ noHardLinks: false, slowFirstWrite: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const link = async (from: string, to: string): Promise<void> => {
    if (mode.noHardLinks) throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM', errno: -1 });
    return real.link(from, to);
  };
  const writeFile = async (file: unknown, data: unknown, opts?: unknown): Promise<void> => {
    const flag = typeof opts === 'object' && opts !== null ? (opts as { flag?: string }).flag : undefined;
    if (flag === 'wx' && String(file).endsWith('.lock') && mode.slowFirstWrite > 0) {
      const ms = mode.slowFirstWrite;
      mode.slowFirstWrite = 0;
      const h = await real.open(file as string, 'wx');
      try {
        await new Promise((r) => setTimeout(r, ms));
        await h.writeFile(data as string);
      } finally {
        await h.close();
      }
      return;
    }
    return (real.writeFile as (...a: unknown[]) => Promise<void>)(file, data, opts);
  };
  return { ...real, default: { ...real, link, writeFile }, link, writeFile };
});

const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');
const { NatsJetStreamExporter } = await import('../../../src/export/nats-exporter.js');
const { NATS_SERVER, NatsServerProcess, freeTcpPort } = await import('../nats-server-process.js');
const { liveOptionsFromArgs } = await import('../../../src/cli/live-options.js');
const { REPO } = await import('../../live/live-helpers.js');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
const refusal = (owner: string) => `in use (${owner})`;
const dirs: string[] = [];
const fresh = async (name: string): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), `r23fix-ok-${name}-`));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  mode.noHardLinks = false;
  mode.slowFirstWrite = 0;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('lock timings', () => {
  for (const noHardLinks of [false, true]) {
    it(`${noHardLinks ? 'no hard links' : 'hard links'}: a killed process's lock, and an empty folder, taken at once`, async () => {
      mode.noHardLinks = noHardLinks;
      for (const withLock of [true, false]) {
        const dir = await fresh('timing');
        const lock = join(dir, 'exports.lock');
        if (withLock) writeFileSync(lock, `${deadPid()} ${hostname()} x\n`);
        const t0 = Date.now();
        const token = await takeLock(lock, dir, refusal);
        expect(Date.now() - t0).toBeLessThan(1000);
        expect(await readdir(dir)).toEqual(['exports.lock']);
        expect(readFileSync(lock, 'utf8')).toBe(`${token}\n`);
        await releaseLock(lock, token);
        expect(await readdir(dir)).toEqual([]);
      }
    });
  }
});

describe('lock, one process', () => {
  for (const noHardLinks of [false, true]) {
    it(`${noHardLinks ? 'no hard links' : 'hard links'}: two takers of one path at once — one holds, the other refused naming this pid; a third takes it after release`, async () => {
      mode.noHardLinks = noHardLinks;
      const dir = await fresh('same');
      const lock = join(dir, 'exports.lock');
      const rs = await Promise.allSettled([takeLock(lock, dir, refusal), takeLock(lock, dir, refusal)]);
      const held = rs.filter((r): r is PromiseFulfilledResult<string> => r.status === 'fulfilled');
      expect(held.length).toBe(1);
      expect(String((rs.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toContain(`in use (pid ${process.pid})`);
      await releaseLock(lock, held[0]!.value);
      const t0 = Date.now();
      const again = await takeLock(lock, dir, refusal);
      expect(Date.now() - t0).toBeLessThan(1000);
      await expect(takeLock(lock, dir, refusal)).rejects.toThrow(`in use (pid ${process.pid})`);
      await releaseLock(lock, again);
      expect(await readdir(dir)).toEqual([]);
    });
  }

  it('two paths in one process are both taken', async () => {
    const dir = await fresh('two');
    const [a, b] = [join(dir, 'a.lock'), join(dir, 'b.lock')];
    const [ta, tb] = await Promise.all([takeLock(a, dir, refusal), takeLock(b, dir, refusal)]);
    await releaseLock(a, ta);
    await releaseLock(b, tb);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('lock, error paths', () => {
  it('a lock path that is a folder is refused at once; removed, the lock is taken at once', async () => {
    const dir = await fresh('folder');
    const lock = join(dir, 'exports.lock');
    await mkdir(lock);
    await expect(takeLock(lock, dir, refusal)).rejects.toThrow(/not a regular file \(a folder\)/);
    await rmdir(lock);
    const t0 = Date.now();
    const token = await takeLock(lock, dir, refusal);
    expect(Date.now() - t0).toBeLessThan(1000);
    await releaseLock(lock, token);
    expect(await readdir(dir)).toEqual([]);
  });

  it('no hard links: a taker that wrote its line and gives up (a .break kept changing past the deadline) removes its lock', async () => {
    mode.noHardLinks = true;
    const dir = await fresh('giveup');
    const lock = join(dir, 'exports.lock');
    const guard = `${lock}.break`;
    let n = 0;
    // a live clearer: of another host (a `.break` naming this pid with a token this process does not
    // hold names a clearer that is gone: cleared at once)
    writeFileSync(guard, `4242 other-host clearer-${n}\n`);
    const timer = setInterval(() => writeFileSync(guard, `4242 other-host clearer-${++n}\n`), 200);
    try {
      const t0 = Date.now();
      await expect(takeLock(lock, dir, refusal)).rejects.toThrow(/other processes keep taking it/);
      expect(Date.now() - t0).toBeGreaterThan(9500);
      expect(existsSync(lock)).toBe(false);
      expect(readFileSync(guard, 'utf8')).toMatch(/clearer-\d+\n$/);
    } finally {
      clearInterval(timer);
    }
  }, 20_000);

  it("no hard links: a taker whose line lands after another took over is refused; its giving up leaves the holder's lock", async () => {
    mode.noHardLinks = true;
    mode.slowFirstWrite = 6000;
    const dir = await fresh('late');
    const lock = join(dir, 'exports.lock');
    const a = takeLock(lock, dir, refusal);
    await sleep(50);
    const b = takeLock(lock, dir, refusal);
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(rb.status).toBe('fulfilled');
    expect(ra.status).toBe('rejected');
    expect(String((ra as PromiseRejectedResult).reason)).toContain(`in use (pid ${process.pid})`);
    const tb = (rb as PromiseFulfilledResult<string>).value;
    expect(readFileSync(lock, 'utf8')).toBe(`${tb}\n`);
    await releaseLock(lock, tb);
  }, 20_000);
});

describe.skipIf(!NATS_SERVER)('NATS dials (real nats-server)', () => {
  it('a long outage keeps the dial set small; the redialled connection works; another exporter unaffected; close ends every socket seen', async () => {
    const store = await fresh('nats-store');
    let server = await NatsServerProcess.start(store);
    const made: Socket[] = [];
    const count = (m: unknown): void => void made.push((m as { socket: Socket }).socket);
    const opts = (stream: string, prefix: string) => ({
      servers: server.url,
      stream,
      subjectPrefix: prefix,
      maxRetentionSec: 3600,
      timeoutMs: 500,
      backoff: { baseMs: 20, maxMs: 200 },
      connection: { reconnectTimeWait: 20, timeout: 300 },
    });
    const a = await NatsJetStreamExporter.open(opts('RA', 'ra'));
    const b = await NatsJetStreamExporter.open(opts('RB', 'rb'));
    const setOf = (e: unknown) => (e as { dials: { sockets: Set<Socket>; closed: boolean } }).dials;
    subscribe('net.client.socket', count);
    try {
      await server.stop();
      let most = 0;
      for (let i = 0; i < 25; i++) {
        await sleep(100);
        most = Math.max(most, setOf(a).sockets.size, setOf(b).sockets.size);
      }
      expect(made.length).toBeGreaterThan(20);
      expect(most).toBeLessThanOrEqual(2);
      server = await NatsServerProcess.start(store, server.port);
      const line = (p: string) => ({ type: 'report', requestId: `${p}-${Date.now()}-${Math.random()}`, ts: Date.now() / 1000 }) as never;
      await Promise.all([a.send(line('a')), b.send(line('b'))]);
      expect(a.stats.published).toBe(1);
      expect(b.stats.published).toBe(1);
      await a.close(500);
      expect(setOf(a).closed).toBe(true);
      expect(setOf(a).sockets.size).toBe(0);
      await b.send(line('b2'));
      expect(b.stats.published).toBe(2);
      await b.close(500);
      await sleep(100);
      expect(made.filter((s) => !s.destroyed).length).toBe(0);
    } finally {
      unsubscribe('net.client.socket', count);
      await a.close(100);
      await b.close(100);
      await server.stop();
    }
  }, 40_000);
});

describe('--nats lists', () => {
  const nats = async (value: string) => (await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value])).nats;
  it.each([
    '[::1]:4222,[::2]:4222',
    'u:p@[::1]:4222,[::2]:4222',
    'tok@a:4222,b:4222',
    'nats://u:p@a,b',
    'u:p@a:4222,u:p@b:4222,c:4222',
    'a:4222,nats://u:p@b:4222',
    'a:4222,TLS://u:p@b:4222',
    'nats://[::1]:4222,nats://u:p@[::2]:4222',
  ])('%s: taken', async (value) => {
    expect((await nats(value))?.serverList).toEqual(value.split(','));
  });

  it('[::1]:4222,u:Secr@[::2]:4222: refused by number, nothing shown', async () => {
    const err = await nats('[::1]:4222,u:Secr@[::2]:4222').then(() => undefined, (e: Error) => e);
    expect(err?.constructor.name).toBe('UsageError');
    expect(err?.message).toContain('entry 2 of 2');
    for (const piece of ['Secr', '::1', '::2', 'u:']) expect(err?.message).not.toContain(piece);
  });
});

describe.skipIf(!NATS_SERVER)('live --nats with credentials (real nats-server with auth)', () => {
  it('nothing of the user or password on stderr, stdout or /metrics; SIGTERM → exit 0', async () => {
    const store = await fresh('nats-auth');
    const out = await fresh('nats-auth-out');
    const port = await freeTcpPort();
    const metricsPort = await freeTcpPort();
    const srv = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store, '--user', 'enfUsr', '--pass', 'Zq7Secret'], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100; i++) {
        const ok = await new Promise<boolean>((r) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => (s.destroy(), r(true)));
          s.once('error', () => r(false));
        });
        if (ok) break;
        await sleep(50);
      }
      const value = `enfUsr:Zq7Secret@127.0.0.1:${port},127.0.0.1:${port}`;
      const c = spawn(process.execPath, [join(REPO, 'bin/aipref-enforcer.js'), 'live', '--udp', '127.0.0.1:0', '--out', out, '--nats', value, '--metrics', `127.0.0.1:${metricsPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      let stdout = '';
      c.stderr.on('data', (d) => (err += d));
      c.stdout.on('data', (d) => (stdout += d));
      const exited = new Promise<number | null>((r) => c.once('close', (code) => r(code)));
      for (let i = 0; i < 150 && !err.includes('"event":"start"'); i++) await sleep(100);
      expect(err).toContain('"event":"start"');
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      c.kill('SIGTERM');
      expect(await Promise.race([exited, sleep(15_000).then(() => 'still running')])).toBe(0);
      for (const text of [err, stdout, metrics]) for (const piece of ['Zq7', 'Secret', 'enfUsr']) expect(text).not.toContain(piece);
    } finally {
      srv.kill('SIGTERM');
      await new Promise((r) => (srv.exitCode !== null ? r(null) : srv.once('exit', r)));
    }
  }, 40_000);
});
