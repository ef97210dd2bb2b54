import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../native-free/types.js';
import { encodePcapFileHeader, encodePcapRecord } from '../../native-free/write.js';
import { tmpdir } from 'node:os';
import { concatBytes, readAll, readBytes } from './capture-helpers.js';

const rec1 = Uint8Array.of(0xaa, 0xbb, 0xcc);
const rec2 = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);

describe('classic pcap: the four magics', () => {
  const cases = [
    { name: 'µs little-endian (d4 c3 b2 a1)', nanosecond: false, bigEndian: false, frac: 0.25 },
    { name: 'µs big-endian (a1 b2 c3 d4)', nanosecond: false, bigEndian: true, frac: 0.25 },
    { name: 'ns little-endian (4d 3c b2 a1)', nanosecond: true, bigEndian: false, frac: 0.123456789 },
    { name: 'ns big-endian (a1 b2 3c 4d)', nanosecond: true, bigEndian: true, frac: 0.123456789 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const o = { nanosecond: c.nanosecond, bigEndian: c.bigEndian };
      const file = concatBytes(
        encodePcapFileHeader(113, { ...o, snapLen: 100 }),
        encodePcapRecord(1700000000 + c.frac, rec1, { ...o, origLen: 60 }),
        encodePcapRecord(1700000001, rec2, o),
      );
      const r = await readBytes(file);
      expect(r.error).toBeUndefined();
      expect(r.warnings).toEqual([]);
      expect(r.records).toHaveLength(2);
      expect(r.records[0]).toMatchObject({ frame: 1, linkType: 113, capLen: 3, origLen: 60, fileOffset: 24, data: [...rec1] });
      expect(r.records[0]!.ts).toBeCloseTo(1700000000 + c.frac, 6);
      expect(r.records[1]).toMatchObject({ frame: 2, ts: 1700000001, capLen: 7, fileOffset: 24 + 19, data: [...rec2] });
    });
  }

  it('reads the link type from the low 16 bits, ignoring FCS bits above', async () => {
    const header = encodePcapFileHeader(1);
    header[23] = 0x14; // FCS present, 4 bytes (bits 28..31 set)
    const r = await readBytes(concatBytes(header, encodePcapRecord(1, rec1)));
    expect(r.records[0]!.linkType).toBe(1);
  });
});

describe('classic pcap: records across chunk boundaries', () => {
  it('gives the same records for every chunk size from 1 byte up', async () => {
    const records = Array.from({ length: 20 }, (_, k) => new Uint8Array(k * 3).fill(k));
    const file = concatBytes(encodePcapFileHeader(1), ...records.map((d, k) => encodePcapRecord(100 + k, d)));
    for (const chunkBytes of [1, 2, 5, 16, 17, 23, 24, 25, 64, 1000]) {
      const r = await readBytes(file, { chunkBytes, maxBatchRecords: 3 });
      expect(r.error, `chunk ${chunkBytes}`).toBeUndefined();
      expect(r.records.map((x) => x.data), `chunk ${chunkBytes}`).toEqual(records.map((d) => [...d]));
      expect(r.records.map((x) => x.frame)).toEqual(records.map((_, k) => k + 1));
      expect(r.records.map((x) => x.ts)).toEqual(records.map((_, k) => 100 + k));
    }
  });

  it('reuseBatches: one batch object refilled gives the same records, frames and batches for every chunk size', async () => {
    const records = Array.from({ length: 20 }, (_, k) => new Uint8Array(k * 3).fill(k));
    const file = concatBytes(encodePcapFileHeader(1), ...records.map((d, k) => encodePcapRecord(100 + k, d)));
    for (const chunkBytes of [1, 5, 17, 24, 64, 1000, 1 << 20]) {
      for (const maxBatchRecords of [1, 3, 8192]) {
        const fresh = await readBytes(file, { chunkBytes, maxBatchRecords });
        const reused = await readBytes(file, { chunkBytes, maxBatchRecords, reuseBatches: true });
        expect(reused, `chunk ${chunkBytes}, batch ${maxBatchRecords}`).toEqual(fresh);
      }
    }
  });

  it('splits a chunk into batches of at most maxBatchRecords', async () => {
    const file = concatBytes(encodePcapFileHeader(1), ...Array.from({ length: 10 }, () => encodePcapRecord(1, rec1)));
    const r = await readBytes(file, { maxBatchRecords: 4 });
    expect(r.batches).toBe(3);
    expect(r.records).toHaveLength(10);
  });
});

describe('classic pcap: bad input', () => {
  const good = concatBytes(encodePcapFileHeader(1), encodePcapRecord(5, rec1));
  const cases: { name: string; bytes: Uint8Array; offset: number; reason: RegExp; records: number }[] = [
    { name: 'empty file', bytes: new Uint8Array(0), offset: 0, reason: /^empty file/, records: 0 },
    { name: 'three bytes', bytes: Uint8Array.of(0xd4, 0xc3, 0xb2), offset: 0, reason: /^truncated file header: 3 bytes/, records: 0 },
    {
      name: 'not a capture (text)',
      bytes: new TextEncoder().encode('INVITE sip:a@b SIP/2.0\r\n'),
      offset: 0,
      reason: /^not a pcap or pcapng capture \(starts with 0x494e5649\)/,
      records: 0,
    },
    { name: 'file header cut at 20 of 24 bytes', bytes: encodePcapFileHeader(1).subarray(0, 20), offset: 0, reason: /^truncated file header: 20 of 24 bytes/, records: 0 },
    {
      name: 'version 3',
      bytes: (() => {
        const h = encodePcapFileHeader(1);
        h[4] = 3;
        return h;
      })(),
      offset: 4,
      reason: /^unsupported pcap version 3/,
      records: 0,
    },
    {
      name: 'absurd record length after one good record',
      bytes: (() => {
        const bad = encodePcapRecord(6, rec1);
        new DataView(bad.buffer).setUint32(8, 0x00100000, true); // incl_len 1 MiB
        return concatBytes(good, bad, encodePcapRecord(7, rec1));
      })(),
      offset: 24 + 19,
      reason: /^absurd record length 1048576 \(limit 262144\)/,
      records: 1,
    },
  ];
  for (const c of cases) {
    it(`${c.name} → CaptureError at byte ${c.offset}`, async () => {
      for (const chunkBytes of [7, 1 << 20]) {
        const r = await readBytes(c.bytes, { chunkBytes });
        expect(r.error).toBeInstanceOf(CaptureError);
        const e = r.error as CaptureError;
        expect(e.offset).toBe(c.offset);
        expect(e.reason).toMatch(c.reason);
        expect(e.message).toContain(`at byte ${c.offset}: `);
        expect(r.records).toHaveLength(c.records);
      }
    });
  }

  it('a last record cut in its data: the records before, then a warning', async () => {
    const bytes = concatBytes(good, encodePcapRecord(6, rec2).subarray(0, 16 + 4));
    const r = await readBytes(bytes, { chunkBytes: 9 });
    expect(r.error).toBeUndefined();
    expect(r.records).toHaveLength(1);
    expect(r.warnings).toEqual([{ file: 'c.pcap', offset: 43, frame: 2, message: 'record cut short: 4 of 7 data bytes' }]);
  });

  it('a last record cut in its header: a warning naming the header bytes', async () => {
    const bytes = concatBytes(good, encodePcapRecord(6, rec2).subarray(0, 10));
    const r = await readBytes(bytes);
    expect(r.records).toHaveLength(1);
    expect(r.warnings).toEqual([{ file: 'c.pcap', offset: 43, frame: 2, message: 'record cut short: 10 of 16 header bytes' }]);
  });

  it('a header-only file has no records and no warning', async () => {
    const r = await readBytes(encodePcapFileHeader(1));
    expect(r).toMatchObject({ records: [], warnings: [] });
    expect(r.error).toBeUndefined();
  });
});

describe('files that cannot be read', () => {
  it('a missing file → CaptureError at byte 0 naming the system error', async () => {
    const r = await readAll('/nonexistent/dir/capture.pcap');
    expect(r.error).toBeInstanceOf(CaptureError);
    expect(r.error!.message).toBe('/nonexistent/dir/capture.pcap: at byte 0: cannot open: ENOENT: no such file or directory');
  });

  it('a directory → CaptureError at byte 0 (EISDIR)', async () => {
    const r = await readAll(tmpdir());
    expect(r.error).toBeInstanceOf(CaptureError);
    expect((r.error as CaptureError).reason).toMatch(/^cannot read: EISDIR/);
  });
});
