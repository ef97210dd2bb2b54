/**
 * Checked and fine (review of e6787c6, 0accb0e, 2d8d48e):
 * 1. malformedLog under a spoofed-port flood (in-process live --udp, 8 peers tracked, 400 ms
 *    interval; every 5 ms a fresh source port sends 3 junk datagrams): lines per interval stay
 *    within 4 × tracked + 1 (observed 7–25 with 8 tracked: each new peer's first 3, the tracked
 *    peers' `suppressed` lines, one untrackedPeers line) — with the defaults that is at most
 *    ~4,100 lines a minute, observed ≈ 1.5–2 × 1024 a minute steady (under journald's default
 *    10,000/30 s); no datagram lost or counted twice: first-lines + Σ suppressed ==
 *    malformedDatagrams == stop malformedNotLogged + first-lines == metrics' malformed; the
 *    tracked slots come free (`tracked` neither drifts negative nor stays pinned): after the
 *    flood and two quiet intervals a new peer gets its own first line, not an untrackedPeers one.
 * 2. The interval timer is unref'd and cleared by stop() (clearInterval given it).
 * 3. Forgetting: a peer is deleted only when its `suppressed` is 0 at an interval's end (code
 *    read: tell() logs `suppressed` first, deletes only `!seen && suppressed === 0`); a peer with
 *    counts is told, then forgotten an interval later if quiet.
 * 4. replay --to --speed 0: no pacing (a 30 s gap in the capture sent at once).
 * 5. replay --to --speed 1, SIGINT during a pacing sleep (a 30 s gap): exit 130 within ~1 s,
 *    nothing on stdout, no stack on stderr.
 * 6. dir-lock clearStale (code read): readLock gives identity and text of one handle; the text
 *    compare only narrows what is deleted (a fresh lock carries a new random token, so it never
 *    equals a stale lock's text); a stale lock of a dead pid is still taken.
 * 7. systemd ExecStartPost: node sets no SIGHUP handler by itself (SigCgt of `node -e
 *    setTimeout` has bit 0 clear; with process.on('SIGHUP') set), so the unit's regex proves
 *    bin's listener; the script ends once `aipref-enforcer live` is up (and it survives a
 *    SIGHUP then); it ends within ~0.1 s when live exits at once on a bad config (exit 2; once
 *    the pid is reaped, /proc/<pid> is gone and kill -0 fails — systemd reaps its main process
 *    itself); `$MAINPID` is left for sh (systemd expands only ${MAINPID} inside a word, and sets
 *    MAINPID in ExecStartPost's environment); kill -0 and /proc/<pid>/status of a process of the
 *    same user (ExecStartPost runs as User=aipref, as the main process) need no privilege;
 *    systemd-analyze verify reads the unit clean.
 * 8. nonPublicAddress: 8.8.8.8, 1.1.1.1, 2001:4860:4860::8888, 2606:4700:4700::1111, 2620:fe::fe,
 *    2a00:1450::, 2001:200::1 (first APNIC /23 after 2001::/23), 2001:470::1, 2c0f::1, 3ffe::1,
 *    4000::1, 64:ff9b::808:808, 2002:808:808::1, ::ffff:8.8.8.8, ::ffff:0:808:808 (SIIT) stay
 *    public; 2001:db8::/32, 3fff::/20, 5f00::/16, fec0::/10, 64:ff9b:1::/48, Teredo, 2001:2::/48,
 *    2002:7f00:1::, ::ffff:0:7f00:1, ::7f00:1, ::, ::1 refused.
 * 9. uriAllowHost keeps allowed names: repo, repo-1.internal, xn--bcher-kva.example, bücher.example
 *    (→ punycode), 例え.テスト, _acme.repo, REPO.Example (→ lowercase), IPv4/IPv6 literals in
 *    canonical form; refuses *.corp, .corp, a..b, -repo, repo-.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startLive } from '../../../src/cli/live.js';
import { liveOptionsFromArgs, type LogEvent } from '../../../src/cli/live-options.js';
import { releaseLock, takeLock } from '../../../src/export/dir-lock.js';
import { nonPublicAddress, uriAllowHost } from '../../../src/policy/uri-resolver.js';
import { BIN, SMALL_POLICY } from '../../e2e/e2e-helpers.js';
import { writeCapture } from './pcap.js';

const dirs: string[] = [];
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const temp = async (p: string) => {
  const d = await mkdtemp(path.join(tmpdir(), p));
  dirs.push(d);
  return d;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UNIT = readFileSync(path.resolve(process.cwd(), 'contrib/systemd/aipref-enforcer.service'), 'utf8');

describe('live malformed-datagram log', () => {
  it('a spoofed-port flood: bounded lines per interval, every datagram counted once, slots freed', async () => {
    const INTERVAL = 400;
    const TRACKED = 8;
    const dir = await temp('r19-pass-flood-');
    const logs: LogEvent[] = [];
    const opts = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--out', path.join(dir, 'o'), '--workers', '0', '--batch-ms', '5', '--quiet']);
    const service = await startLive({ ...opts, log: (e) => logs.push(e) }, { malformedLogIntervalMs: INTERVAL, malformedPeersTracked: TRACKED });
    const port = service.addresses.udp!.port;
    const malformedLines = () => logs.filter((l) => l.event === 'malformed-datagram');
    const perInterval: number[] = [];
    let sent = 0;
    try {
      for (let interval = 0; interval < 6; interval++) {
        const before = malformedLines().length;
        const end = performance.now() + INTERVAL;
        while (performance.now() < end) {
          const sock: Socket = createSocket('udp4');
          await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
          for (let k = 0; k < 3; k++) await new Promise<void>((r) => sock.send('junk junk junk', port, '127.0.0.1', () => r()));
          sent += 3;
          sock.close();
          await sleep(5);
        }
        perInterval.push(malformedLines().length - before);
      }
      for (const end = Date.now() + 15_000; service.counts.malformedDatagrams < sent && Date.now() < end; ) await sleep(10);
      expect(service.counts.malformedDatagrams).toBe(sent);
      for (const n of perInterval) expect(n, JSON.stringify(perInterval)).toBeLessThanOrEqual(4 * TRACKED + 1);
      // two quiet intervals: every spoofed peer forgotten, a new one is tracked again
      await sleep(INTERVAL * 2.6);
      const fresh = createSocket('udp4');
      await new Promise<void>((r) => fresh.bind(0, '127.0.0.1', () => r()));
      await new Promise<void>((r) => fresh.send('junk junk junk', port, '127.0.0.1', () => r()));
      sent++;
      for (const end = Date.now() + 15_000; service.counts.malformedDatagrams < sent && Date.now() < end; ) await sleep(10);
      expect(logs.filter((l) => l.event === 'malformed-datagram' && l.peer === `127.0.0.1:${fresh.address().port}`)).toEqual([
        expect.objectContaining({ source: 'udp', reason: expect.stringContaining('neither RTP') }),
      ]);
      fresh.close();
    } finally {
      await service.stop();
    }
    const lines = malformedLines();
    const firsts = lines.filter((l) => l.suppressed === undefined).length;
    const told = lines.reduce((a, l) => a + ((l.suppressed as number | undefined) ?? 0), 0);
    const stop = logs.find((l) => l.event === 'stop')!;
    expect(stop.malformedDatagrams).toBe(sent);
    expect(firsts + told).toBe(sent);
    expect(stop.malformedNotLogged).toBe(told);
    expect(await service.metrics.text()).toContain(`aipref_packets_total{proto="malformed"} ${sent}`);
  }, 60_000);

  it('the interval timer is unref\'d and cleared at stop', async () => {
    const dir = await temp('r19-pass-timer-');
    const made: NodeJS.Timeout[] = [];
    const cleared = new Set<unknown>();
    const realSet = globalThis.setInterval;
    const realClear = globalThis.clearInterval;
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms?: number) => {
      const t = realSet(fn, ms);
      if (ms === 4321) made.push(t);
      return t;
    }) as typeof setInterval);
    vi.spyOn(globalThis, 'clearInterval').mockImplementation(((t?: Parameters<typeof clearInterval>[0]) => {
      cleared.add(t);
      realClear(t);
    }) as typeof clearInterval);
    const opts = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--out', path.join(dir, 'o'), '--workers', '0', '--quiet']);
    const service = await startLive({ ...opts, log: () => undefined }, { malformedLogIntervalMs: 4321 });
    expect(made.length).toBe(1);
    expect(made[0]!.hasRef()).toBe(false);
    await service.stop();
    expect(cleared.has(made[0])).toBe(true);
  });
});

describe('replay --to pacing', () => {
  async function gapCapture(): Promise<string> {
    const dir = await temp('r19-pass-gap-');
    const cap = path.join(dir, 'gap.pcap');
    await writeCapture(cap, [
      { ts: 1000, kind: 'udp', payload: 'one' },
      { ts: 1030, kind: 'udp', payload: 'two' },
    ]);
    return cap;
  }

  it('--speed 0 does not pace', async () => {
    const cap = await gapCapture();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'replay', cap, '--to', 'udp://127.0.0.1:9', '--speed', '0'], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: '{"sent":2,"skipped":0}\n' });
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('SIGINT during a pacing sleep ends replay at once, exit 130', async () => {
    const cap = await gapCapture();
    // the datagrams go to a socket of the test's: the first one's arrival says replay is loaded
    // and in its pacing sleep (a fixed pause could end before a loaded CI had started it)
    const sink = createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    const first = new Promise<void>((r) => sink.once('message', () => r()));
    const child = spawn(process.execPath, [BIN, 'replay', cap, '--to', `udp://127.0.0.1:${sink.address().port}`, '--speed', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await Promise.race([first, exited.then((code) => Promise.reject(new Error(`replay exited (${code}) before its first datagram: ${stderr}`)))]);
    } finally {
      sink.close();
    }
    await sleep(200); // first datagram sent, sleeping towards t=1030
    const at = performance.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(performance.now() - at).toBeLessThan(1500);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(/AbortError|at .*\.js:\d+/);
  }, 20_000);
});

describe('dir-lock', () => {
  it('a stale lock of a dead pid is still taken (text compared too)', async () => {
    const dir = await temp('r19-pass-lock-');
    const lock = path.join(dir, 'x.lock');
    await writeFile(lock, `2147483646 ${hostname()} 00000000-dead\n`);
    const token = await takeLock(lock, dir, (o) => `held by ${o}`);
    expect(readFileSync(lock, 'utf8')).toBe(`${token}\n`);
    await releaseLock(lock, token);
  });
});

describe('contrib/systemd ExecStartPost', () => {
  const post = /^ExecStartPost=\/bin\/sh -c '(.*)'$/m.exec(UNIT)![1]!;
  const sigcgt = (pid: number) => /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  const hupCaught = (mask: string) => (parseInt(mask.slice(-1), 16) & 1) === 1;
  const runPost = (pid: number) =>
    new Promise<{ code: number | null; ms: number }>((resolve) => {
      const t0 = performance.now();
      const sh = spawn('/bin/sh', ['-c', post], { env: { ...process.env, MAINPID: String(pid) }, stdio: 'ignore' });
      sh.once('exit', (code) => resolve({ code, ms: performance.now() - t0 }));
    });

  it('node catches no SIGHUP of its own: the mask bit is bin\'s listener', async () => {
    const plain = spawn(process.execPath, ['-e', 'setTimeout(()=>{},5000)'], { stdio: 'ignore' });
    const hup = spawn(process.execPath, ['-e', 'process.on("SIGHUP",()=>{});setTimeout(()=>{},5000)'], { stdio: 'ignore' });
    try {
      await sleep(700);
      expect(hupCaught(sigcgt(plain.pid!))).toBe(false);
      expect(hupCaught(sigcgt(hup.pid!))).toBe(true);
      // the unit's own regex agrees
      const re = /^SigCgt:[\s]*[0-9a-f]{15}[13579bdf]/m;
      expect(re.test(readFileSync(`/proc/${plain.pid}/status`, 'utf8'))).toBe(false);
      expect(re.test(readFileSync(`/proc/${hup.pid}/status`, 'utf8'))).toBe(true);
    } finally {
      plain.kill();
      hup.kill();
    }
  });

  it('ends once live is up (which then survives SIGHUP), and at once when live exits on a bad config', async () => {
    const dir = await temp('r19-pass-unit-');
    const policy = path.join(dir, 'policy.json');
    await copyFile(SMALL_POLICY, policy);
    const good = path.join(dir, 'good.yaml');
    await writeFile(good, `hep: 127.0.0.1:0\npolicy: ${policy}\nout: ${path.join(dir, 'state')}\n`);
    const live = spawn(process.execPath, [BIN, 'live', '--config', good], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    live.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const liveExit = new Promise<{ code: number | null; signal: string | null }>((resolve) => live.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      const r = await runPost(live.pid!);
      expect(r.code).toBe(0);
      expect(live.exitCode).toBe(null);
      live.kill('SIGHUP');
      await sleep(1500);
      expect(live.exitCode, stderr).toBe(null);
      live.kill('SIGTERM');
      expect(await liveExit).toEqual({ code: 0, signal: null });
    } finally {
      if (live.exitCode === null) live.kill('SIGKILL');
    }

    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, `hep: 127.0.0.1:0\nwindow: banana\n`);
    const failing = spawn(process.execPath, [BIN, 'live', '--config', bad], { stdio: 'ignore' });
    const failed = new Promise<number | null>((resolve) => failing.once('exit', (code) => resolve(code)));
    const r = await runPost(failing.pid!);
    expect(await failed).toBe(2);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5000);
  }, 30_000);

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  it.skipIf(!analyze)('systemd-analyze verify reads the unit clean', () => {
    const r = spawnSync('systemd-analyze', ['verify', path.resolve(process.cwd(), 'contrib/systemd/aipref-enforcer.service')], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('uri= address check and --uri-allow names', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '2606:4700:4700::1111', '2620:fe::fe', '2a00:1450:4001::1', '2001:200::1', '2001:470::1', '2c0f::1', '3ffe::1', '4000::1', '64:ff9b::808:808', '2002:808:808::1', '::ffff:8.8.8.8', '::ffff:0:808:808'])('%s is public', (a) => {
    expect(nonPublicAddress(a)).toBeNull();
  });
  it.each(['2001:db8::1', '3fff::1', '5f00::1', 'fec0::1', '64:ff9b:1::808:808', '2001::1', '2001:2::1', '2002:7f00:1::', '::ffff:0:7f00:1', '::7f00:1', '::', '::1'])('%s is refused', (a) => {
    expect(nonPublicAddress(a)).not.toBeNull();
  });
  it.each([
    ['repo', 'repo'],
    ['repo-1.internal', 'repo-1.internal'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['例え.テスト', 'xn--r8jz45g.xn--zckzah'],
    ['_acme.repo', '_acme.repo'],
    ['REPO.Example', 'repo.example'],
    ['10.0.0.5', '10.0.0.5'],
    ['[::1]', '::1'],
  ])('--uri-allow %s is the host %s', (text, host) => {
    expect(uriAllowHost(text)).toBe(host);
  });
  it.each(['*.corp', '.corp', 'a..b', '-repo', 'repo-'])('--uri-allow %s is refused', (text) => {
    expect(uriAllowHost(text)).toBeNull();
  });
});
