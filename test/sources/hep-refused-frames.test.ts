/**
 * HEPv3 frames the live listener counts as malformed instead of handing on (found by a review
 * of the live sources):
 * - a frame without its capture-time chunk (type 9) was handed on as captured at 1970-01-01 (ts 0):
 *   its windows and expiresAt dated 1970, its exports expired at once. Kamailio's sipcapture
 *   (hepv3_received) refuses such a frame too;
 * - a compressed payload (chunk 16) inflating past what one rebuilt IP packet carries was handed
 *   on with wrapped 16-bit IPv4/UDP lengths (a 70 000-byte payload's IPv4 header said 4 492).
 */
import { afterEach, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { deflateSync } from 'node:zlib';
import { encodeHep, HepProtocol } from '../../src/sources/hep.js';
import { HepListener } from '../../src/sources/hep-listener.js';
import type { SourcePacket } from '../../src/sources/source-packet.js';

const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c.close()));
});

/** Sends one frame to a fresh listener; what it handed on and why it refused. */
async function sendOne(frame: Uint8Array): Promise<{ got: SourcePacket[]; malformed: string[] }> {
  const got: SourcePacket[] = [];
  const malformed: string[] = [];
  const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: (p) => got.push(p), onMalformed: (reason) => malformed.push(reason) });
  toClose.push(listener);
  const sock = createSocket('udp4');
  toClose.push({ close: () => new Promise<void>((r) => sock.close(() => r())) });
  await new Promise<void>((r) => sock.send(frame, listener.udpAddress!.port, '127.0.0.1', () => r()));
  const deadline = Date.now() + 2000;
  while (listener.counters.received === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(listener.counters.received).toBe(1);
  return { got, malformed };
}

function chunk(type: number, value: number[]): number[] {
  const len = 6 + value.length;
  return [0, 0, type >> 8, type & 0xff, len >> 8, len & 0xff, ...value];
}

it('a frame without the timestamp chunks (9, 10) is malformed, not captured at 1970-01-01', async () => {
  const sip = [...Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n\r\n')];
  const chunks = [
    ...chunk(1, [2]), ...chunk(2, [17]), ...chunk(3, [10, 0, 0, 1]), ...chunk(4, [10, 0, 0, 2]),
    ...chunk(7, [0x13, 0xc4]), ...chunk(8, [0x13, 0xc4]), ...chunk(11, [1]), ...chunk(15, sip),
  ];
  const total = 6 + chunks.length;
  const { got, malformed } = await sendOne(Uint8Array.from([0x48, 0x45, 0x50, 0x33, total >> 8, total & 0xff, ...chunks]));
  expect(got).toEqual([]);
  expect(malformed).toEqual([`HEPv3: at byte ${total}: no timestamp seconds chunk (type 9)`]);
});

it('a compressed payload (chunk 16) inflating past one IP packet is malformed, not handed on with a wrapped IP/UDP length', async () => {
  const { got, malformed } = await sendOne(
    encodeHep({
      ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060,
      tsSeconds: 1_700_000_000, tsMicroseconds: 0, protocolType: HepProtocol.SIP,
      payload: deflateSync(new Uint8Array(70_000).fill(0x41)), compressed: true,
    }),
  );
  expect(got).toEqual([]);
  expect(malformed).toEqual(['compressed payload (chunk 16) inflates to 70000 bytes, more than one IP packet carries (65475)']);
});
