import { afterEach, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { deflateSync } from 'node:zlib';
import { encodeHep, HepProtocol } from '../../src/sources/hep.js';
import { HepListener } from '../../src/sources/hep-listener.js';
import { SourcePacketBatcher } from '../../src/sources/source-batch.js';
import type { SourcePacket } from '../../src/sources/source-packet.js';

const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c.close()));
});

it('a compressed HEP payload (chunk 16) inflating past what one IP packet holds is counted malformed, not handed on with a wrapped IP/UDP length', async () => {
  const got: SourcePacket[] = [];
  const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: (p) => got.push({ ...p, payload: p.payload.slice() }) });
  toClose.push(listener);
  const inflated = new Uint8Array(70_000).fill(0x41);
  const frame = encodeHep({
    ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060,
    tsSeconds: 1_700_000_000, tsMicroseconds: 0, protocolType: HepProtocol.SIP,
    payload: deflateSync(inflated), compressed: true,
  });
  const sock = createSocket('udp4');
  toClose.push({ close: () => new Promise<void>((r) => sock.close(() => r())) });
  await new Promise<void>((r) => sock.send(frame, listener.udpAddress!.port, '127.0.0.1', () => r()));
  const deadline = Date.now() + 2000;
  while (listener.counters.received === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(listener.counters.received).toBe(1);
  // accounted for once: either handed on (and then rebuildable) or counted malformed
  expect(got.length + listener.counters.malformed).toBe(1);
  for (const p of got) {
    const batch = new SourcePacketBatcher().toBatch([p]);
    const at = batch.dataOffset[0]!;
    const ipTotalLength = (batch.bytes[at + 2]! << 8) | batch.bytes[at + 3]!;
    const udpLength = (batch.bytes[at + 24]! << 8) | batch.bytes[at + 25]!;
    // the rebuilt IPv4 packet must say its own length (16-bit fields cannot hold 70 028)
    expect(ipTotalLength).toBe(batch.capLen[0]);
    expect(udpLength).toBe(p.payload.length + 8);
  }
});
