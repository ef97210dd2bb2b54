/** A live child with HEP on loopback, real TCP/UDP senders, and its /metrics read back. */
import { createSocket } from 'node:dgram';
import { mkdtemp } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { encodeHep, type HepEncodeInput } from '../../../src/sources/hep.js';
import { ensureBuilt, LiveChild, type Addresses } from '../../live/live-helpers.js';

export const SIP = new TextEncoder().encode(
  'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nContent-Length: 0\r\n\r\n',
);

export function sipFrame(over: Partial<HepEncodeInput> = {}): Uint8Array {
  return encodeHep({ ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, tsSeconds: Math.floor(Date.now() / 1000), tsMicroseconds: 0, protocolType: 1, payload: SIP, ...over });
}

export function chunk(vendor: number, type: number, value: number[]): number[] {
  const len = 6 + value.length;
  return [vendor >> 8, vendor & 0xff, type >> 8, type & 0xff, len >> 8, len & 0xff, ...value];
}

export function frameOf(chunks: number[]): Uint8Array {
  const total = 6 + chunks.length;
  return Uint8Array.from([0x48, 0x45, 0x50, 0x33, total >> 8, total & 0xff, ...chunks]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HepLive {
  private constructor(
    readonly live: LiveChild,
    readonly addresses: Addresses,
  ) {}

  static async start(extra: string[] = []): Promise<HepLive> {
    await ensureBuilt();
    const out = await mkdtemp(path.join(os.tmpdir(), 'hep-framing-'));
    const { live, addresses } = await LiveChild.start(['--metrics', '127.0.0.1:0', '--out', out, '--workers', '0', '--batch-ms', '5', '--hep', '127.0.0.1:0', ...extra]);
    return new HepLive(live, addresses);
  }

  async tcp(): Promise<Socket> {
    const s = createConnection({ host: '127.0.0.1', port: this.addresses.hep!.tcp.port });
    s.setNoDelay(true);
    await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
    return s;
  }

  async udp(datagrams: Uint8Array[]): Promise<void> {
    const s = createSocket('udp4');
    for (const d of datagrams) await new Promise<void>((resolve, reject) => s.send(d, this.addresses.hep!.udp.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    await new Promise<void>((r) => s.close(() => r()));
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.addresses.metrics!.port}/metrics`)).text();
  }

  /** a HEP source count: records received, malformed, skipped unknown chunks, or records of a kind (hep:sip, auth-rejected, …) */
  async kind(kind: string): Promise<number> {
    const series =
      kind === 'received'
        ? 'aipref_source_records_total{source="hep",kind="received"}'
        : kind === 'malformed'
          ? 'aipref_source_malformed_total{source="hep"}'
          : kind === 'unknown-chunks'
            ? 'aipref_source_unknown_chunks_total{source="hep"}'
            : `aipref_source_record_kinds_total{source="hep",kind="${kind}"}`;
    const line = (await this.metrics()).split('\n').find((l) => l.startsWith(series + ' '));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }

  /** waits until received + malformed-only events settle at `n` of kind */
  async until(kind: string, n: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await this.kind(kind)) >= n) return;
      await sleep(30);
    }
    throw new Error(`hep ${kind} never reached ${n}; logs: ${this.live.stderrText}`);
  }

  malformedReasons(): string[] {
    return this.live.logs.filter((l) => l.event === 'malformed-datagram').map((l) => String(l.reason));
  }

  async stop(): Promise<Record<string, unknown>> {
    await this.live.terminate();
    const stop = await this.live.waitFor((l) => l.event === 'stop', 2000);
    return stop.summary as Record<string, unknown>;
  }
}
