/**
 * Found by a review of live's log under a flood of bad input, fixed since: malformed datagrams are logged per peer, the first few each with its reason, then counted and told once a minute and at stop (src/cli/live.ts malformedLog, reportMalformed).
 * Input: a real `live --udp 127.0.0.1:0` (plain mirror) and a real `live --hep 127.0.0.1:0`, each sent 5,000 junk datagrams from one UDP socket (one peer) and 5 from a second socket.
 * Was: one `malformed-datagram` line on stderr per datagram (5,005 lines): whoever reaches the port writes the operator's log (journald then drops the service's other lines too).
 * Correct: at most MALFORMED_LOGGED_PER_PEER (3) lines per peer with their reason, one line per peer at stop with the number not logged since (`suppressed`), the `stop` line's `malformedNotLogged`; the stop summary, the metrics and the `malformed-input` reports still count every datagram.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, LiveChild, readLines, type Addresses, type LogLine } from '../live-helpers.js';

const FLOOD = 5000;
const FEW = 5;
const LOGGED_PER_PEER = 3;
/** 0x6a..: no RTP/RTCP (version bits), no RFC 7983 protocol, no SIP, no HEP3 magic */
const JUNK = Buffer.from('junk datagram from anyone who reaches the port');

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-log-flood-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scrape(addresses: Addresses): Promise<string> {
  return (await fetch(`http://127.0.0.1:${addresses.metrics!.port}/metrics`)).text();
}

function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function openSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

/**
 * `n` datagrams from one socket, paced in groups so that the kernel's receive buffer never overruns:
 * after each group, `caughtUp` (when given) waits for the service to have counted them — a fixed
 * pause alone let a service slowed by a loaded CI fall behind until the kernel dropped datagrams.
 */
async function send(s: Socket, port: number, n: number, caughtUp?: (sent: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => s.send(JUNK, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    if (i % 250 === 249) {
      await sleep(5);
      await caughtUp?.(i + 1);
    }
  }
}

async function untilMalformed(addresses: Addresses, source: string, n: number): Promise<void> {
  const series = `aipref_source_malformed_total{source="${source}"}`;
  for (let i = 0; i < 400; i++) {
    if (metric(await scrape(addresses), series) >= n) return;
    await sleep(25);
  }
  throw new Error(`${source}: fewer than ${n} malformed datagrams counted`);
}

describe.each([
  { source: 'udp', args: ['--udp', '127.0.0.1:0'], port: (a: Addresses) => a.udp!.port, peerOf: (p: number) => `127.0.0.1:${p}` },
  { source: 'hep', args: ['--hep', '127.0.0.1:0'], port: (a: Addresses) => a.hep!.udp.port, peerOf: (p: number) => `udp:127.0.0.1:${p}` },
])('live $source: a flood of junk datagrams from one peer', ({ source, args, port, peerOf }) => {
  it('logs a bounded number of malformed-datagram lines, and still counts and reports every datagram', async () => {
    const out = path.join(dir, source);
    const { live, addresses } = await LiveChild.start(['--metrics', '127.0.0.1:0', '--out', out, '--workers', '0', '--batch-ms', '5', ...args]);
    const flooder = await openSocket();
    const other = await openSocket();
    try {
      await send(flooder, port(addresses), FLOOD, (sent) => untilMalformed(addresses, source, sent));
      await send(other, port(addresses), FEW);
      await untilMalformed(addresses, source, FLOOD + FEW);
      const metrics = await scrape(addresses);
      expect(metric(metrics, 'aipref_packets_total{proto="malformed"}')).toBe(FLOOD + FEW);

      expect(await live.terminate()).toBe(0);
      const stop = await live.waitFor((l) => l.event === 'stop', 2000);
      const summary = stop.summary as { malformed: number; reports: Record<string, number> };
      expect(summary.malformed).toBe(FLOOD + FEW);
      expect(summary.reports['malformed-input']).toBe(FLOOD + FEW);
      expect(stop.malformedDatagrams).toBe(FLOOD + FEW);
      expect(stop.malformedNotLogged).toBe(FLOOD + FEW - 2 * LOGGED_PER_PEER);
      const reports = await readLines(out, 'reports');
      expect(reports.filter((r) => r.type === 'malformed-input').length).toBe(FLOOD + FEW);

      const lines = live.logs.filter((l) => l.event === 'malformed-datagram');
      const ofPeer = (s: Socket): LogLine[] => lines.filter((l) => l.peer === peerOf(s.address().port));
      for (const [s, n] of [
        [flooder, FLOOD],
        [other, FEW],
      ] as const) {
        const mine = ofPeer(s);
        // the first ones each with its reason, then one line (at stop) with how many were not logged
        const first = mine.filter((l) => l.suppressed === undefined);
        expect(first.length).toBe(LOGGED_PER_PEER);
        for (const l of first) expect(l).toMatchObject({ level: 'warn', source, reason: expect.any(String) });
        const told = mine.filter((l) => l.suppressed !== undefined);
        expect(told.length).toBe(1);
        expect(told[0]).toMatchObject({ level: 'warn', source, suppressed: n - LOGGED_PER_PEER, reason: first[0]!.reason });
      }
      expect(lines.length).toBe(2 * (LOGGED_PER_PEER + 1));
      // what was not logged is told before the stop line
      expect(live.logs.indexOf(lines.at(-1)!)).toBeLessThan(live.logs.indexOf(stop));
    } finally {
      flooder.close();
      other.close();
      await live.terminate();
    }
  }, 60_000);
});
