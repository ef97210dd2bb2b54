/**
 * SPEC §8: "Times are capture times in seconds since the epoch (numbers, microsecond
 * precision)". For nanosecond captures the reader made a float of seconds first
 * (native-free/pcap.ts: sec + frac / 1e9; native-free/pcapng.ts: (hi * 2^32 + lo) / units), whose
 * resolution near 1.7e9 s is about 0.24 µs (and the pcapng unit count, ~1.7e18 > 2^53, is itself
 * rounded to 256 ns), and only then rounds to the microsecond (src/enforce/records.ts
 * microseconds()). A packet captured at 1700000000.123456400 (tshark frame.time_epoch) was printed
 * as 1700000000.123457: not the nearest microsecond (…456), nor the truncated one (…456). The
 * readers now round the fraction as a whole number (pcapng: timestampSeconds).
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { timestampSeconds } from '../../native-free/pcapng.js';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { encodePcapngEnhancedPacket, encodePcapngInterface, encodePcapngSectionHeader } from '../../native-free/write.js';
import { inspect, rtp, tsharkFields } from '../wire/helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aipref-ts-us-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = () => buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 6000, dport: 6002, payload: rtp(0x1234, 1, 20) });

/** A little-endian nanosecond pcap (magic 0xa1b23c4d) with one record at sec.nsec, written byte by byte. */
function nanosecondPcap(file: string, sec: number, nsec: number): void {
  const data = frame();
  const b = Buffer.alloc(24 + 16 + data.length);
  b.writeUInt32LE(0xa1b23c4d, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(1, 20);
  b.writeUInt32LE(sec, 24);
  b.writeUInt32LE(nsec, 28);
  b.writeUInt32LE(data.length, 32);
  b.writeUInt32LE(data.length, 36);
  b.set(data, 40);
  writeFileSync(file, b);
}

describe('capture times to the microsecond (SPEC §8)', () => {
  it('a nanosecond pcap record at …123456400 s is inspected as …123456', () => {
    const file = path.join(dir, 'ns.pcap');
    nanosecondPcap(file, 1700000000, 123456400);
    expect(tsharkFields(file, ['frame.time_epoch'])[0]![0]).toBe('1700000000.123456400');
    expect(inspect(file)[0]!.ts).toBe(1700000000.123456);
  });

  it('a pcapng (if_tsresol 9) packet at …123456400 s is inspected as …123456', () => {
    const file = path.join(dir, 'ns.pcapng');
    writeFileSync(file, Buffer.concat([encodePcapngSectionHeader(), encodePcapngInterface(1, { tsresol: 9 }), encodePcapngEnhancedPacket(0, 1700000000123456400n, frame())]));
    expect(tsharkFields(file, ['frame.time_epoch'])[0]![0]).toBe('1700000000.123456400');
    expect(inspect(file)[0]!.ts).toBe(1700000000.123456);
  });
});

describe('pcapng timestamps to the microsecond, any time', () => {
  it('the 64-bit count of ns, µs, 100 ns or 2^-30 s units gives the whole seconds and the nearest microsecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constantFrom(1e9, 1e7, 2 ** 30, 1e6, 1e3), (sec, fraction, unitsPerSecond) => {
        const sub = BigInt(Math.floor(fraction * unitsPerSecond));
        const units = BigInt(sec) * BigInt(unitsPerSecond) + sub;
        const hi = Number(units >> 32n);
        const lo = Number(units & 0xffffffffn);
        // the nearest microsecond, worked out in whole numbers
        const us = (sub * 1_000_000n * 2n + BigInt(unitsPerSecond)) / (2n * BigInt(unitsPerSecond));
        expect(timestampSeconds(hi, lo, unitsPerSecond)).toBe(sec + Number(us) / 1e6);
      }),
      { numRuns: 5000 },
    );
  });
});
