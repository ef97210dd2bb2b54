import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../native-free/types.js';
import {
  encodePcapngBlock,
  encodePcapngEnhancedPacket,
  encodePcapngInterface,
  encodePcapngObsoletePacket,
  encodePcapngSectionHeader,
  encodePcapngSimplePacket,
} from '../../native-free/write.js';
import { concatBytes, readBytes } from './capture-helpers.js';

const data = Uint8Array.of(0x45, 0, 0, 3, 9);

describe('pcapng: sections, interfaces, packet blocks', () => {
  for (const bigEndian of [false, true]) {
    it(`${bigEndian ? 'big' : 'little'}-endian section with EPB, SPB, OPB and an unknown block`, async () => {
      const o = { bigEndian };
      const file = concatBytes(
        encodePcapngSectionHeader(o),
        encodePcapngInterface(1, { ...o, snapLen: 3 }), // interface 0: Ethernet, snaplen 3 (SPB cut)
        encodePcapngInterface(101, { ...o, tsresol: 9 }), // interface 1: raw IP, nanoseconds
        encodePcapngEnhancedPacket(1, 1700000000_123456789n, data, { ...o, origLen: 1500 }),
        encodePcapngBlock(0x00000005, new Uint8Array(20), o), // interface statistics: skipped
        encodePcapngBlock(0x0badf00d, new Uint8Array(7), o), // unknown: skipped
        encodePcapngSimplePacket(data, o),
        encodePcapngObsoletePacket(0, 1700000002_000001n, data, o),
      );
      const r = await readBytes(file);
      expect(r.error).toBeUndefined();
      expect(r.records.map(({ frame, linkType, capLen, origLen, data }) => ({ frame, linkType, capLen, origLen, data }))).toEqual([
        { frame: 1, linkType: 101, capLen: 5, origLen: 1500, data: [...data] },
        // SPB: interface 0, captured length limited by its snaplen
        { frame: 2, linkType: 1, capLen: 3, origLen: 5, data: [...data.subarray(0, 3)] },
        { frame: 3, linkType: 1, capLen: 5, origLen: 5, data: [...data] },
      ]);
      expect(r.records[0]!.ts).toBeCloseTo(1700000000.123457, 6);
      // SPB has no time of its own: it takes the one of the record before it
      expect(r.records[1]!.ts).toBe(r.records[0]!.ts);
      expect(r.records[2]!.ts).toBeCloseTo(1700000002.000001, 6);
      expect(r.records[0]!.fileOffset).toBe(28 + 20 + 32); // SHB, IDB, IDB with if_tsresol
    });
  }

  it('if_tsresol as a power of two and if_tsoffset', async () => {
    const file = concatBytes(
      encodePcapngSectionHeader(),
      encodePcapngInterface(1, { tsresol: 0x80 | 10, tsoffset: 1000 }), // 1/1024 s units, +1000 s
      encodePcapngEnhancedPacket(0, 1024n * 5n + 512n, data),
    );
    const r = await readBytes(file);
    expect(r.records[0]!.ts).toBe(1005.5);
  });

  it('a second section resets the interfaces and may switch byte order', async () => {
    const file = concatBytes(
      encodePcapngSectionHeader(),
      encodePcapngInterface(1),
      encodePcapngEnhancedPacket(0, 1_000000n, data),
      encodePcapngSectionHeader({ bigEndian: true }),
      encodePcapngInterface(113, { bigEndian: true }),
      encodePcapngEnhancedPacket(0, 2_000000n, data, { bigEndian: true }),
    );
    for (const chunkBytes of [1, 3, 13, 50, 4096]) {
      const r = await readBytes(file, { chunkBytes });
      expect(r.error).toBeUndefined();
      expect(r.records.map((x) => [x.frame, x.linkType, x.ts])).toEqual([
        [1, 1, 1],
        [2, 113, 2],
      ]);
    }
  });
});

describe('pcapng: bad input', () => {
  const shb = encodePcapngSectionHeader(); // 28 bytes
  const idb = encodePcapngInterface(1); // 20 bytes
  const epb = encodePcapngEnhancedPacket(0, 1n, data); // 40 bytes
  const prefix = 28 + 20 + 40;
  const withWord = (block: Uint8Array, at: number, value: number): Uint8Array => {
    const b = block.slice();
    new DataView(b.buffer).setUint32(at, value, true);
    return b;
  };
  const cases: { name: string; bytes: Uint8Array; offset: number; reason: RegExp; records: number }[] = [
    { name: 'section header cut short', bytes: shb.subarray(0, 20), offset: 0, reason: /^truncated section header block: 20 bytes/, records: 0 },
    { name: 'bad byte-order magic', bytes: withWord(shb, 8, 0x12345678), offset: 8, reason: /^bad byte-order magic 0x12345678/, records: 0 },
    { name: 'version 2', bytes: (() => { const b = shb.slice(); b[12] = 2; return b; })(), offset: 12, reason: /^unsupported pcapng version 2/, records: 0 },
    { name: 'block length below 12', bytes: concatBytes(shb, idb, epb, withWord(epb, 4, 8)), offset: prefix + 4, reason: /^bad block length 8$/, records: 1 },
    { name: 'block length not a multiple of 4', bytes: concatBytes(shb, idb, epb, withWord(epb, 4, 41)), offset: prefix + 4, reason: /^bad block length 41$/, records: 1 },
    { name: 'block length absurd', bytes: concatBytes(shb, idb, epb, withWord(epb, 4, 0x7ffffff0)), offset: prefix + 4, reason: /^bad block length 2147483632$/, records: 1 },
    { name: 'trailer differs', bytes: concatBytes(shb, idb, epb, withWord(epb, 36, 44)), offset: prefix + 36, reason: /^block length mismatch: header says 40, trailer says 44/, records: 1 },
    { name: 'EPB shorter than its fixed part', bytes: concatBytes(shb, idb, epb, encodePcapngBlock(6, new Uint8Array(12))), offset: prefix + 4, reason: /^bad block length 24: a packet block takes at least 32/, records: 1 },
    { name: 'EPB on an undescribed interface', bytes: concatBytes(shb, idb, epb, withWord(epb, 8, 3)), offset: prefix + 8, reason: /^packet on interface 3, but the section describes 1/, records: 1 },
    { name: 'EPB captured length overruns the block', bytes: concatBytes(shb, idb, epb, withWord(epb, 20, 9)), offset: prefix + 20, reason: /^captured length 9 overruns its block of 40 bytes/, records: 1 },
    { name: 'EPB absurd captured length', bytes: concatBytes(shb, idb, epb, withWord(epb, 20, 300000)), offset: prefix + 20, reason: /^absurd record length 300000/, records: 1 },
    { name: 'first block is not a section header', bytes: concatBytes(shb.subarray(0, 0), idb), offset: 0, reason: /^not a pcap or pcapng capture/, records: 0 },
    { name: 'SPB before any interface', bytes: concatBytes(shb, encodePcapngSimplePacket(data)), offset: 28, reason: /^simple packet block before any interface description/, records: 0 },
    { name: 'IDB shorter than its fixed part', bytes: concatBytes(shb, encodePcapngBlock(1, new Uint8Array(4))), offset: 28 + 4, reason: /^bad block length 16: an interface description/, records: 0 },
    {
      name: 'IDB option overruns the block',
      bytes: concatBytes(shb, encodePcapngBlock(1, Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, /* option */ 9, 0, 40, 0))),
      offset: 28 + 16,
      reason: /^option 9 of length 40 overruns its block/,
      records: 0,
    },
  ];
  for (const c of cases) {
    it(`${c.name} → CaptureError at byte ${c.offset}`, async () => {
      for (const chunkBytes of [5, 1 << 20]) {
        const r = await readBytes(c.bytes, { chunkBytes });
        expect(r.error).toBeInstanceOf(CaptureError);
        const e = r.error as CaptureError;
        expect(e.reason).toMatch(c.reason);
        expect(e.offset).toBe(c.offset);
        expect(r.records).toHaveLength(c.records);
      }
    });
  }

  it('a last block cut short: the records before, then a warning', async () => {
    const r = await readBytes(concatBytes(shb, idb, epb, epb.subarray(0, 30)), { chunkBytes: 11 });
    expect(r.error).toBeUndefined();
    expect(r.records).toHaveLength(1);
    expect(r.warnings).toEqual([{ file: 'c.pcap', offset: prefix, frame: 2, message: 'record cut short: 30 of 40 block bytes' }]);
  });

  it('a last block cut inside its 8-byte header', async () => {
    const r = await readBytes(concatBytes(shb, idb, epb, epb.subarray(0, 6)));
    expect(r.warnings).toEqual([{ file: 'c.pcap', offset: prefix, frame: 2, message: 'record cut short: 6 of 8 block header bytes' }]);
  });
});
