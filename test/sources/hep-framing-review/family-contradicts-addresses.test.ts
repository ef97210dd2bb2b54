/**
 * Found by a review of HEP framing, fixed since: a frame whose family chunk names a family whose addresses it lacks, while it carries the other's, is refused as malformed (src/sources/hep.ts decodeHep).
 */
// Input: a HEPv3 UDP frame (real socket, HepListener) whose IP family chunk (1) says 2 (IPv4) while its
//   addresses come only in the IPv6 chunks 5/6 (2001:db8::1 → 2001:db8::2), SIP payload, time chunks present.
// Was: handed on silently with src '' and dst '' (counted hep:sip, no malformed report); source-batch.ts
//   then rebuilds it as a packet from 0.0.0.0 to 0.0.0.0, so the dialog's addresses are lost without a word.
// Correct: either the addresses the frame carries (src 2001:db8::1, as heplify-server takes whichever
//   address chunk is present; tshark's HEP dissector shows them) or a malformed report naming the
//   contradiction — never a frame made address-less in silence (SPEC §6 malformed-input; §7 IPv6 inputs).
// Fix: src/sources/hep.ts decodeHep (after the chunk loop: a family whose address chunks are missing while the
//   other family's are present is an error, or fall back to the present ones).
import { createSocket } from 'node:dgram';
import { afterEach, expect, it } from 'vitest';
import { HepListener } from '../../../src/sources/hep-listener.js';
import type { SourcePacket } from '../../../src/sources/source-packet.js';
import { chunk, frameOf, SIP } from './framing-helpers.js';

const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c.close()));
});

const v6 = (last: number) => [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last];

it('family chunk 2 with only IPv6 address chunks: the IPv6 addresses, or a malformed report — not src ""', async () => {
  const got: SourcePacket[] = [];
  const malformed: string[] = [];
  const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: (p) => got.push(p), onMalformed: (r) => malformed.push(r) });
  toClose.push(listener);
  const frame = frameOf([
    ...chunk(0, 1, [2]),
    ...chunk(0, 2, [17]),
    ...chunk(0, 5, v6(1)),
    ...chunk(0, 6, v6(2)),
    ...chunk(0, 7, [0x13, 0xc4]),
    ...chunk(0, 8, [0x13, 0xc4]),
    ...chunk(0, 9, [0x65, 0x53, 0xf1, 0x00]),
    ...chunk(0, 10, [0, 0, 0, 0]),
    ...chunk(0, 11, [1]),
    ...chunk(0, 15, [...SIP]),
  ]);
  const sock = createSocket('udp4');
  toClose.push({ close: () => new Promise<void>((r) => sock.close(() => r())) });
  await new Promise<void>((r) => sock.send(frame, listener.udpAddress!.port, '127.0.0.1', () => r()));
  for (let i = 0; i < 100 && listener.counters.received < 1; i++) await new Promise((r) => setTimeout(r, 20));
  expect(listener.counters.received).toBe(1);
  const outcome = got.length === 1 ? { src: got[0]!.src, dst: got[0]!.dst } : { malformed: malformed.length };
  expect([JSON.stringify({ src: '2001:db8::1', dst: '2001:db8::2' }), JSON.stringify({ malformed: 1 })]).toContain(JSON.stringify(outcome));
});
