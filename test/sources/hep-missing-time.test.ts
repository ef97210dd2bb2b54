import { afterEach, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { HepListener } from '../../src/sources/hep-listener.js';
import type { SourcePacket } from '../../src/sources/source-packet.js';

const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c.close()));
});

function chunk(type: number, value: number[]): number[] {
  const len = 6 + value.length;
  return [0, 0, type >> 8, type & 0xff, len >> 8, len & 0xff, ...value];
}

it('a HEP frame without the timestamp chunks (9, 10) is not handed on as captured at 1970-01-01 (ts 0)', async () => {
  const sip = [...Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n\r\n')];
  const chunks = [
    ...chunk(1, [2]), ...chunk(2, [17]), ...chunk(3, [10, 0, 0, 1]), ...chunk(4, [10, 0, 0, 2]),
    ...chunk(7, [0x13, 0xc4]), ...chunk(8, [0x13, 0xc4]), ...chunk(11, [1]), ...chunk(15, sip),
  ];
  const total = 6 + chunks.length;
  const frame = Uint8Array.from([0x48, 0x45, 0x50, 0x33, total >> 8, total & 0xff, ...chunks]);
  const got: SourcePacket[] = [];
  const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: (p) => got.push(p) });
  toClose.push(listener);
  const sock = createSocket('udp4');
  toClose.push({ close: () => new Promise<void>((r) => sock.close(() => r())) });
  await new Promise<void>((r) => sock.send(frame, listener.udpAddress!.port, '127.0.0.1', () => r()));
  const deadline = Date.now() + 2000;
  while (listener.counters.received === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(listener.counters.received).toBe(1);
  expect(got.length + listener.counters.malformed).toBe(1);
  // if handed on, its time is the arrival time (as for a mirror), not the epoch
  for (const p of got) expect(Math.abs(p.ts - Date.now() / 1000)).toBeLessThan(60);
});
