/**
 * In-process live services for the operations review: startLive on loopback ephemeral ports,
 * its log events collected, datagrams sent from node:dgram, /metrics read back.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLive, type LiveService } from '../../../src/cli/live.js';
import type { LiveOptions, LogEvent } from '../../../src/cli/live-options.js';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function liveService(extra: Partial<LiveOptions>): Promise<{ service: LiveService; logs: LogEvent[] }> {
  const logs: LogEvent[] = [];
  const service = await startLive({
    udp: { host: '127.0.0.1', port: 0 },
    udpMode: 'plain',
    workers: 0,
    windowSec: null,
    batchMs: 0,
    explain: false,
    statsSec: 0,
    quiet: true,
    log: (e) => logs.push(e),
    ...extra,
  });
  return { service, logs };
}

/** Sends each datagram, in order, to 127.0.0.1:port. */
export async function sendAll(port: number, datagrams: Uint8Array[]): Promise<void> {
  const s = createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((resolve, reject) => s.send(d, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  await new Promise<void>((r) => s.close(() => r()));
}

/** A sender report (no report blocks) from `ssrc`: one media-metrics item. */
export function senderReport(ssrc: number): Uint8Array {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  b.writeUInt32BE(0xe0000000, 8);
  b.writeUInt32BE(1000, 20);
  b.writeUInt32BE(160000, 24);
  return new Uint8Array(b);
}

/** A sample in the Prometheus text (0 when the series is not there). */
export function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

export async function decided(service: LiveService): Promise<number> {
  const text = await service.metrics.text();
  return ['export', 'aggregate', 'drop'].reduce((n, o) => n + metric(text, `aipref_decisions_total{outcome="${o}"}`), 0);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
