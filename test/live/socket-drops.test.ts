/**
 * `live --udp`: datagrams the kernel drops at the mirror socket (its receive buffer overran
 * while the service was not reading) are counted where an operator looks — the
 * `aipref_socket_receive_drops{source="udp"}` gauge, the `counters` and `stop` log lines
 * (`kernelDrops`). The service is stopped (SIGSTOP) while a burst arrives, then resumed: every
 * datagram sent is either received or counted dropped.
 *
 * Was: a known limit — those losses showed nowhere (only in /proc/net/udp's drops column).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { ensureBuilt, LiveChild } from './live-helpers.js';

let dir = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-live-drops-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const metric = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe.skipIf(!existsSync('/proc/net/udp'))('live: the kernel’s drops at the mirror socket', () => {
  it('are in /metrics and the stop line, and with the datagrams received add up to those sent', async () => {
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--workers', '0', '--stats-every', '1s']);
    const scrape = async () => (await fetch(`http://127.0.0.1:${addresses.metrics!.port}/metrics`)).text();
    expect(metric(await scrape(), 'aipref_socket_receive_drops{source="udp"}')).toBe(0);
    const sent = 4000;
    // one RTP stream, 1200-byte packets: more than the socket's buffer holds while no one reads
    const packet = Buffer.from(encodeRtpPacket({ pt: 96, seq: 1, ts: 0, ssrc: 0x1234, payload: new Uint8Array(1188) }));
    live.child.kill('SIGSTOP');
    try {
      execFileSync(process.execPath, [
        '-e',
        `const s = require('dgram').createSocket('udp4'); const b = Buffer.from('${packet.toString('base64')}', 'base64'); let n = 0;
         const next = () => { if (n === ${sent}) return s.close(); b.writeUInt16BE(n & 0xffff, 2); n++; s.send(b, ${addresses.udp!.port}, '127.0.0.1', next); }; next();`,
      ]);
    } finally {
      live.child.kill('SIGCONT');
    }
    // until what the socket held is read (the count stops moving)
    let received = -1;
    for (let i = 0; i < 100; i++) {
      const now = metric(await scrape(), 'aipref_source_records_total{source="udp",kind="received"}') ?? 0;
      if (now === received) break;
      received = now;
      await new Promise((r) => setTimeout(r, 100));
    }
    const dropped = metric(await scrape(), 'aipref_socket_receive_drops{source="udp"}')!;
    expect(dropped).toBeGreaterThan(0);
    expect(received + dropped).toBe(sent);
    const counters = await live.waitFor((l) => l.event === 'counters' && (l.kernelDrops as { udp: number } | undefined)?.udp === dropped, 5000);
    expect(counters.kernelDrops).toEqual({ udp: dropped });
    expect(await live.terminate()).toBe(0);
    const stop = await live.waitFor((l) => l.event === 'stop');
    expect(stop.kernelDrops).toEqual({ udp: dropped });
  });
});
