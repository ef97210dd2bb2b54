/**
 * Checked fine (review of 2c3a1da, 2959c65, 04b850f, d092b6b):
 * - 2c3a1da, no --interface: with stderr a pipe its reader leaves unread until the process has
 *   exited, nothing is cut — the 1200 malformed-datagram lines, `drain`, `stop` all arrive
 *   (leaving from the 'exit' event happens only once the event loop is empty, queued writes
 *   included). The --interface path does lose them (interface-exit-cuts-unread-log-lines).
 * - 2c3a1da, exit 0: SIGTERM, then SIGTERM / SIGINT / SIGHUP every millisecond through the drain
 *   to the end, with UDP + HEP + --metrics + --out + --workers 2: exit 0 (not a signal), the stop
 *   line written, no plain line.
 * - 2c3a1da, exit 2 and 1 at start: a --config FIFO (the start waits in its read) with
 *   SIGTERM/SIGINT/SIGHUP every millisecond, then a mistyped key: exit 2, not a signal, the
 *   one line then the usage; a --policy FIFO given invalid JSON likewise: exit 1, one line.
 * - 2959c65 make-dir: --out a/b/c fresh, refused at the UDP port (in use): a, b, c all removed;
 *   --out a/b/c fresh, a file put into a while --nats connects, refused: c and b removed, a (with
 *   the file) and its parent kept.
 * - 2959c65 HepListener.close: 40 TCP clients that never close, each with a frame begun, 1 that
 *   half-closed after a frame begun, 1 idle: SIGTERM ends the run (exit 0) at once; the stop line
 *   counts 41 malformed; logged one-by-one lines + malformedNotLogged = malformedDatagrams.
 * - 04b850f malformedLog: with 1024 tracked and 3000 peers, 3 datagrams each, an interval tick and
 *   notes after close: lines without `suppressed` + notLogged = every datagram noted;
 *   Σ suppressed told = notLogged less the notes after close; the interval timer gone after close;
 *   a peer quiet for an interval forgotten and told again with its reason.
 * - d092b6b flowOfKey: IPv4 and bracketed IPv6 keys (as packet-decoder makes them), ports 0 and
 *   65535, IPv4-mapped IPv6, a key without a port → null; the same as the regex it replaced;
 *   reverseFlowKey's key read back swapped.
 * - d092b6b refuseTerminalStdin: inspect -, bindings -, replay - with a terminal (pty) on stdin:
 *   exit 2, exactly the one line `aipref-enforcer <cmd>: stdin: is a terminal, …` (no usage
 *   text, as before the refactor), nothing on stdout.
 */
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { flowOfKey, reverseFlowKey } from '../../../native-free/tcp-stream.js';
import { malformedLog } from '../../../src/cli/malformed-log.js';
import type { LogEvent } from '../../../src/cli/live-options.js';
import { ensureBuilt, REPO } from '../live-helpers.js';
import { sendSrs } from '../../live-delivery/live-fixtures.js';
import { BIN, exitWithin, spawnLive } from './helpers.js';

const run = promisify(execFile);
let dir = '';
let policy = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'r20-passing-'));
  policy = path.join(dir, 'raw.json');
  await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-d' }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plainLines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('{'));

/** `signals` one after another every millisecond until the child has ended (bounded count). */
async function spamUntilExit(child: ReturnType<typeof spawn>, signals: NodeJS.Signals[]): Promise<number> {
  let sent = 0;
  while (child.exitCode === null && child.signalCode === null && sent < 40_000) {
    try {
      child.kill(signals[sent % signals.length]);
    } catch {
      // ended meanwhile
    }
    sent++;
    await sleep(1);
  }
  return sent;
}

describe('2c3a1da: leaving from the exit event', () => {
  it('without --interface, a stderr reader that was behind still gets every line, the stop line last', async () => {
    const child = spawn(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--out', path.join(dir, 'behind'), '--workers', '0', '--batch-ms', '0'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let text = '';
      child.stderr!.setEncoding('utf8');
      const onData = (c: string) => {
        text += c;
      };
      child.stderr!.on('data', onData);
      const until = Date.now() + 30_000;
      while (!text.includes('"event":"start"')) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no start line: ${text}`);
        await sleep(20);
      }
      const start = JSON.parse(text.split('\n').find((l) => l.includes('"event":"start"'))!) as { addresses: { udp: { port: number } } };
      child.stderr!.off('data', onData);
      child.stderr!.pause();
      const junk = Buffer.from('x'.repeat(40));
      // all open at once: 400 distinct source ports (a port closed and bound again would be one peer)
      const peers = [];
      for (let p = 0; p < 400; p++) {
        const s = createSocket('udp4');
        await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
        peers.push(s);
      }
      for (const s of peers) for (let i = 0; i < 3; i++) await new Promise((r) => s.send(junk, start.addresses.udp.port, '127.0.0.1', r));
      for (const s of peers) s.close();
      await sleep(2000);
      child.kill('SIGTERM');
      // it cannot end before its lines are read: give it time to show that it waits, then read
      const early = await exitWithin(child, 3000);
      child.stderr!.on('data', onData);
      child.stderr!.resume();
      const ended = early === 'still running' ? await exitWithin(child, 60_000) : early;
      await new Promise<void>((resolve) => (child.stderr!.readableEnded ? resolve() : child.stderr!.once('end', () => resolve())));
      expect(ended).toEqual({ code: 0, signal: null });
      const events = text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => (JSON.parse(l) as { event: string }).event);
      expect({ drain: events.includes('drain'), last: events.at(-1), malformedLines: events.filter((e) => e === 'malformed-datagram').length }).toEqual({ drain: true, last: 'stop', malformedLines: 1200 });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 180_000);

  for (const spam of [['SIGTERM'], ['SIGINT'], ['SIGHUP'], ['SIGTERM', 'SIGINT', 'SIGHUP']] as NodeJS.Signals[][]) {
    it(`SIGTERM, then ${spam.join('/')} every millisecond to the end (UDP, HEP, metrics, --workers 2): exit 0`, async () => {
      const out = path.join(dir, `spam0-${spam.join('-')}`);
      const { child, text, waitLine } = spawnLive(['--udp', '127.0.0.1:0', '--hep', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--policy', policy, '--out', out, '--workers', '2', '--batch-ms', '5']);
      try {
        const start = await waitLine((l) => l.event === 'start', 30_000);
        await sendSrs((start.addresses as { udp: { port: number } }).udp.port, 50);
        await sleep(300);
        child.kill('SIGTERM');
        await spamUntilExit(child, spam);
        const ended = await exitWithin(child, 60_000);
        expect(ended, text()).toEqual({ code: 0, signal: null });
        await waitLine((l) => l.event === 'stop', 5000);
        expect(plainLines(text())).toEqual([]);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }, 120_000);
  }

  it.skipIf(process.platform !== 'linux')('a start refused by its --config (read from a FIFO) under SIGTERM/SIGINT/SIGHUP every millisecond: exit 2, not a signal', async () => {
    const fifo = path.join(dir, 'config.json');
    await run('mkfifo', [fifo]);
    const { child, text } = spawnLive(['--config', fifo]);
    try {
      // opened for writing once live opens it for reading: its handlers are in by then
      const writer = await open(fifo, 'w');
      const spamming = spamUntilExit(child, ['SIGTERM', 'SIGINT', 'SIGHUP']);
      await sleep(300);
      await writer.writeFile(JSON.stringify({ udp: '127.0.0.1:0', polcy: 'x' }));
      await writer.close();
      await spamming;
      const ended = await exitWithin(child, 60_000);
      expect(ended, text()).toEqual({ code: 2, signal: null });
      expect(plainLines(text())[0]).toBe(`aipref-enforcer live: ${fifo}: unknown config key 'polcy'`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);

  it.skipIf(process.platform !== 'linux')('a start refused by its --policy (read from a FIFO) under signals every millisecond: exit 1, one line', async () => {
    const fifo = path.join(dir, 'policy-fifo.json');
    await run('mkfifo', [fifo]);
    const { child, text } = spawnLive(['--udp', '127.0.0.1:0', '--policy', fifo, '--out', path.join(dir, 'never'), '--workers', '0']);
    try {
      const writer = await open(fifo, 'w');
      const spamming = spamUntilExit(child, ['SIGTERM', 'SIGINT', 'SIGHUP']);
      await sleep(300);
      await writer.writeFile('{bad');
      await writer.close();
      await spamming;
      const ended = await exitWithin(child, 60_000);
      expect(ended, text()).toEqual({ code: 1, signal: null });
      const plain = plainLines(text());
      expect(plain.length).toBe(1);
      expect(plain[0]).toMatch(/^aipref-enforcer live: .*policy-fifo\.json: not valid JSON/);
      expect(existsSync(path.join(dir, 'never'))).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('2959c65: a refused start removes the folders it made', () => {
  it('--out n/a/b/c made, refused at a UDP port in use: n removed whole', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    try {
      const base = path.join(dir, 'nested1');
      const { child, text } = spawnLive(['--udp', `127.0.0.1:${taken.address().port}`, '--out', path.join(base, 'a/b/c'), '--workers', '0']);
      const ended = await exitWithin(child, 60_000);
      expect(ended, text()).toEqual({ code: 1, signal: null });
      expect(existsSync(base)).toBe(false);
    } finally {
      taken.close();
    }
  }, 120_000);

  it('--out n/a/b/c made, a file put into n/a while --nats connects, refused: the file and its folders stay, b and c go', async () => {
    const base = path.join(dir, 'nested2');
    const server = createServer((sock: Socket) => {
      void writeFile(path.join(base, 'a/foreign.txt'), 'not live\'s').then(() => setTimeout(() => sock.destroy(), 200));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const { child, text } = spawnLive(['--udp', '127.0.0.1:0', '--out', path.join(base, 'a/b/c'), '--nats', `nats://127.0.0.1:${port}`, '--workers', '0']);
      const ended = await exitWithin(child, 60_000);
      expect(ended, text()).toEqual({ code: 1, signal: null });
      expect(await readdir(base)).toEqual(['a']);
      expect(await readdir(path.join(base, 'a'))).toEqual(['foreign.txt']);
    } finally {
      server.close();
    }
  }, 120_000);
});

describe('2959c65: HepListener.close with connections that never close', () => {
  it('40 clients holding a frame begun, one half-closed, one idle: SIGTERM ends the run, every unfinished frame counted and told', async () => {
    const { child, text, waitLine } = spawnLive(['--hep', '127.0.0.1:0', '--out', path.join(dir, 'hep'), '--workers', '0', '--batch-ms', '5']);
    const clients: Socket[] = [];
    try {
      const start = await waitLine((l) => l.event === 'start', 30_000);
      const port = (start.addresses as { hep: { tcp: { port: number } } }).hep.tcp.port;
      const begun = Buffer.from([0x48, 0x45, 0x50, 0x33, 0x00, 0x40, 1, 2, 3]);
      for (let i = 0; i < 42; i++) {
        const c = connect(port, '127.0.0.1');
        c.on('error', () => undefined);
        await new Promise((r) => c.once('connect', r));
        if (i < 41) c.write(begun);
        if (i === 40) c.end();
        clients.push(c);
      }
      await sleep(500);
      child.kill('SIGTERM');
      const ended = await exitWithin(child, 60_000);
      expect(ended, text()).toEqual({ code: 0, signal: null });
      const stop = await waitLine((l) => l.event === 'stop', 5000);
      expect(stop.malformedDatagrams).toBe(41);
      const logs = text()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const oneByOne = logs.filter((l) => l.event === 'malformed-datagram' && l.suppressed === undefined).length;
      expect(oneByOne + (stop.malformedNotLogged as number)).toBe(41);
    } finally {
      for (const c of clients) c.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('04b850f: malformedLog counts', () => {
  it('every datagram either logged or in notLogged; Σ suppressed told; no timer after close', () => {
    vi.useFakeTimers();
    try {
      const lines: LogEvent[] = [];
      const m = malformedLog((e) => lines.push(e), { malformedLogIntervalMs: 1000 });
      let noted = 0;
      for (let round = 0; round < 3; round++) {
        for (let p = 0; p < 3000; p++) {
          m.note(p % 2 === 0 ? 'udp' : 'hep', `10.0.${p >> 8}.${p & 255}:5000`, `reason ${round}`);
          noted++;
        }
        if (round === 1) vi.advanceTimersByTime(1000);
      }
      m.close();
      for (let i = 0; i < 5; i++) {
        m.note('udp', '10.9.9.9:1', 'after close');
        noted++;
      }
      expect(vi.getTimerCount()).toBe(0);
      const before = lines.length;
      vi.advanceTimersByTime(10_000);
      expect(lines.length).toBe(before);
      const oneByOne = lines.filter((l) => l.suppressed === undefined).length;
      const told = lines.reduce((s, l) => s + ((l.suppressed as number | undefined) ?? 0), 0);
      expect(oneByOne + m.notLogged).toBe(noted);
      expect(told).toBe(m.notLogged - 5);
      expect(oneByOne).toBe(1024 * 3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a peer quiet for a whole interval is forgotten, then logged again with its reason', () => {
    vi.useFakeTimers();
    try {
      const lines: LogEvent[] = [];
      const m = malformedLog((e) => lines.push(e), { malformedLogIntervalMs: 1000 });
      for (let i = 0; i < 5; i++) m.note('udp', '1.2.3.4:5', 'first');
      vi.advanceTimersByTime(1000); // tells suppressed 2
      vi.advanceTimersByTime(1000); // quiet: forgotten
      m.note('udp', '1.2.3.4:5', 'again');
      m.close();
      expect(lines.map((l) => [l.reason, l.suppressed])).toEqual([
        ['first', undefined],
        ['first', undefined],
        ['first', undefined],
        ['first', 2],
        ['again', undefined],
      ]);
      expect(m.notLogged).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('d092b6b: flowOfKey', () => {
  const oldRegex = (key: string) => {
    const m = /^\[?([^\]]*)\]?:(\d+)>\[?([^\]]*)\]?:(\d+)$/.exec(key);
    return m === null ? null : { src: m[1]!, sport: Number(m[2]), dst: m[3]!, dport: Number(m[4]) };
  };
  const cases: [string, ReturnType<typeof flowOfKey>][] = [
    ['10.0.0.1:5060>10.0.0.2:5061', { src: '10.0.0.1', sport: 5060, dst: '10.0.0.2', dport: 5061 }],
    ['[2001:db8::1]:5060>[2001:db8::2]:0', { src: '2001:db8::1', sport: 5060, dst: '2001:db8::2', dport: 0 }],
    ['[::ffff:10.0.0.1]:65535>[fe80::1]:5060', { src: '::ffff:10.0.0.1', sport: 65535, dst: 'fe80::1', dport: 5060 }],
    ['10.0.0.1>10.0.0.2', null],
    ['', null],
  ];
  it.each(cases)('%s', (key, want) => {
    expect(flowOfKey(key)).toEqual(want);
    expect(flowOfKey(key)).toEqual(oldRegex(key));
    if (want !== null) expect(flowOfKey(reverseFlowKey(key))).toEqual({ src: want.dst, sport: want.dport, dst: want.src, dport: want.sport });
  });
});

describe('d092b6b: refuseTerminalStdin', () => {
  const hasPython = existsSync('/usr/bin/python3');
  for (const command of ['inspect', 'bindings', 'replay']) {
    it.skipIf(!hasPython)(`${command} - with a terminal on stdin: exit 2, the one line, no usage`, async () => {
      // a pty as fd 0 (python's pty module): what a forgotten pipe at a shell gives
      const script = [
        'import os, pty, subprocess, sys, json',
        'm, s = pty.openpty()',
        `r = subprocess.run([sys.argv[1], sys.argv[2], '${command}', '-'], stdin=s, capture_output=True, timeout=60)`,
        'print(json.dumps({"code": r.returncode, "stdout": r.stdout.decode(), "stderr": r.stderr.decode()}))',
      ].join('\n');
      const { stdout } = await run('python3', ['-c', script, process.execPath, BIN], { cwd: REPO });
      const r = JSON.parse(stdout) as { code: number; stdout: string; stderr: string };
      expect(r).toEqual({
        code: 2,
        stdout: '',
        stderr: `aipref-enforcer ${command}: stdin: is a terminal, not a capture: pipe or redirect one into it (tcpdump -w - | aipref-enforcer ${command} -, or aipref-enforcer ${command} - < call.pcap)\n`,
      });
    }, 90_000);
  }
});

