/**
 * Found by a review of live's log under a flood of bad input, fixed since: malformed datagrams past a peer's first few are counted and told once an interval (a minute) per peer, past the tracked peers in one line per source (src/cli/live.ts malformedLog, startLive).
 * Input: the live service in-process (`--udp 127.0.0.1:0`, plain mirror) with an internal 300 ms interval and room for 2 tracked peers; junk datagrams from up to three UDP sockets.
 * Was: one `malformed-datagram` line per datagram, however many, from however many peers.
 * Correct: per peer the first 3 lines with their reason, then at most one line an interval with `suppressed` (how many since, the last reason); a peer quiet for a whole interval is forgotten (its next datagram is logged as a first one); peers past the tracked ones share one line per source an interval.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLive, type LiveService } from '../../../src/cli/live.js';
import { liveOptionsFromArgs, type LogEvent } from '../../../src/cli/live-options.js';

const INTERVAL_MS = 300;
const JUNK = Buffer.from('junk datagram from anyone who reaches the port');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let service: LiveService | undefined;
const sockets: Socket[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-log-interval-'));
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await service?.stop().catch(() => undefined);
  service = undefined;
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(name: string, peersTracked?: number): Promise<{ logs: LogEvent[]; port: number }> {
  const logs: LogEvent[] = [];
  const opts = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--out', path.join(dir, name), '--workers', '0', '--batch-ms', '5', '--quiet']);
  service = await startLive({ ...opts, log: (e) => logs.push(e) }, { malformedLogIntervalMs: INTERVAL_MS, ...(peersTracked !== undefined && { malformedPeersTracked: peersTracked }) });
  return { logs, port: service.addresses.udp!.port };
}

async function peer(): Promise<Socket> {
  const s = createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

async function send(s: Socket, port: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve, reject) => s.send(JUNK, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
}

async function untilCounted(n: number): Promise<void> {
  for (const end = Date.now() + 15_000; service!.counts.malformedDatagrams < n && Date.now() < end; ) await sleep(10);
  expect(service!.counts.malformedDatagrams).toBe(n);
}

const malformedOf = (logs: LogEvent[], s: Socket) => logs.filter((l) => l.event === 'malformed-datagram' && l.peer === `127.0.0.1:${s.address().port}`);
const suppressedOf = (lines: LogEvent[]) => lines.reduce((sum, l) => sum + ((l.suppressed as number | undefined) ?? 0), 0);

/**
 * Waits (up to 15 s) until `cond` holds: what an interval's end tells is waited for rather than
 * slept on for a fixed 1.5 intervals, as under a loaded CI the interval's timer can run late.
 * (Nothing more is told once it holds: no datagram comes meanwhile.)
 */
async function until(cond: () => boolean): Promise<void> {
  for (const end = Date.now() + 15_000; !cond() && Date.now() < end; ) await sleep(10);
}

describe('live: malformed datagrams past the first few are told once an interval', () => {
  it('a steady flood from one peer: 3 lines with their reason, then one line an interval with the number since', async () => {
    const { logs, port } = await start('steady');
    const a = await peer();
    await send(a, port, 50);
    await untilCounted(50);
    expect(malformedOf(logs, a).length).toBe(3);
    expect(malformedOf(logs, a)[2]!.detail).toMatch(/further ones from this peer are counted/);
    await sleep(INTERVAL_MS * 1.5);
    await until(() => suppressedOf(malformedOf(logs, a)) >= 47);
    let mine = malformedOf(logs, a);
    // (one line, or two if an interval ended while the 50 were arriving)
    expect(mine.length === 4 || mine.length === 5).toBe(true);
    expect(mine.at(-1)).toMatchObject({ level: 'warn', source: 'udp', reason: 'datagram of 46 bytes is neither RTP, RTCP nor SIP' });
    expect(mine.slice(3).reduce((sum, l) => sum + (l.suppressed as number), 0)).toBe(47);
    // the flood goes on over several intervals: one line each, never one per datagram
    for (let round = 0; round < 3; round++) {
      await send(a, port, 40);
      await sleep(INTERVAL_MS);
    }
    await untilCounted(170);
    await sleep(INTERVAL_MS * 1.5);
    await until(() => suppressedOf(malformedOf(logs, a)) >= 167);
    mine = malformedOf(logs, a);
    const told = mine.filter((l) => l.suppressed !== undefined);
    expect(mine.length - told.length).toBe(3);
    expect(told.length).toBeGreaterThanOrEqual(3);
    expect(told.length).toBeLessThanOrEqual(5);
    expect(told.reduce((sum, l) => sum + (l.suppressed as number), 0)).toBe(167);
  }, 30_000);

  it('a peer quiet for a whole interval is forgotten: its next datagram is logged with its reason again', async () => {
    const { logs, port } = await start('quiet');
    const a = await peer();
    await send(a, port, 5);
    await untilCounted(5);
    // the first interval's end tells the 2 (waited for: its timer can be late under load), then a
    // whole quiet interval forgets the peer (2.5 intervals more, as the 3.5 from the count were)
    await until(() => malformedOf(logs, a).length >= 4);
    await sleep(INTERVAL_MS * 2.5);
    expect(malformedOf(logs, a).map((l) => l.suppressed)).toEqual([undefined, undefined, undefined, 2]);
    await send(a, port, 1);
    await untilCounted(6);
    expect(malformedOf(logs, a).map((l) => l.suppressed)).toEqual([undefined, undefined, undefined, 2, undefined]);
  }, 30_000);

  it('peers past the tracked ones share one line per source an interval; the stop line counts what was not logged', async () => {
    const { logs, port } = await start('untracked', 2);
    const [a, b, c, d] = [await peer(), await peer(), await peer(), await peer()];
    await send(a, port, 4);
    await send(b, port, 4);
    await untilCounted(8);
    await send(c, port, 5);
    await send(d, port, 6);
    await untilCounted(19);
    // c and d: no line of their own
    expect(malformedOf(logs, c)).toEqual([]);
    await sleep(INTERVAL_MS * 1.5);
    await until(() => logs.filter((l) => l.event === 'malformed-datagram').length >= 9);
    const lines = logs.filter((l) => l.event === 'malformed-datagram');
    expect(malformedOf(logs, a).map((l) => l.suppressed)).toEqual([undefined, undefined, undefined, 1]);
    expect(malformedOf(logs, b).map((l) => l.suppressed)).toEqual([undefined, undefined, undefined, 1]);
    const rest = lines.filter((l) => l.untrackedPeers !== undefined);
    expect(rest).toEqual([
      expect.objectContaining({ level: 'warn', source: 'udp', suppressed: 11, untrackedPeers: true, peer: `127.0.0.1:${d.address().port}`, reason: expect.stringContaining('neither RTP') }),
    ]);
    expect(lines.length).toBe(9);
    await service!.stop();
    const stop = logs.find((l) => l.event === 'stop')!;
    expect(stop).toMatchObject({ malformedDatagrams: 19, malformedNotLogged: 13 });
  }, 30_000);
});
