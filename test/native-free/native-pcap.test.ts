/**
 * The optional native `pcap` package against native-free, on the shared captures. Without the
 * package (it needs libpcap-dev to build), only the "how to get it" message is tested.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isNativePcapAvailable, loadNativePcap, NATIVE_PCAP_MISSING, nativePcapBatches, readCaptureWithNativePcap } from '../../src/sources/native-pcap.js';
import { readCaptureBatches } from '../../native-free/capture.js';
import { readAll, type ReadRecord, recordsOf } from './capture-helpers.js';

const available = await isNativePcapAvailable();
const captures = ['rtpproxy_rtcp.a.pcap', 'rtpproxy_rtcp.o.pcap', 'heplify_sip_ipv4_tcp.pcap', 'heplify_sip_ipv6_udp.pcap', 'heplify_ipip0.pcap'];
const capture = (name: string): string => path.resolve(process.cwd(), '../shared/captures', name);

describe('native pcap', () => {
  it.skipIf(available)('when the package is missing, loading says in one line how to get it', async () => {
    const err = await loadNativePcap().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toBe(NATIVE_PCAP_MISSING);
    expect(err!.message).not.toContain('\n');
    expect(err!.message).toContain('apt-get install libpcap-dev');
    expect(err!.message).toContain('npm install pcap');
    await expect(readCaptureWithNativePcap(capture(captures[0]!)).next()).rejects.toThrow(NATIVE_PCAP_MISSING);
  });

  for (const name of captures) {
    it.skipIf(!available)(
      `${name}: the same records as native-free${available ? '' : ' (skipped: optional pcap package not installed — apt-get install libpcap-dev && npm install pcap)'}`,
      async () => {
        const viaLibpcap: { ts: number; data: string; linkType: number }[] = [];
        for await (const r of readCaptureWithNativePcap(capture(name))) {
          viaLibpcap.push({ ts: r.ts, data: Buffer.from(r.data).toString('hex'), linkType: r.linkType });
        }
        const viaNativeFree: { ts: number; data: string; linkType: number }[] = [];
        for await (const b of readCaptureBatches(capture(name))) {
          for (let i = 0; i < b.count; i++) {
            viaNativeFree.push({
              ts: b.ts[i]!,
              data: Buffer.from(b.bytes.subarray(b.dataOffset[i]!, b.dataOffset[i]! + b.capLen[i]!)).toString('hex'),
              linkType: b.linkType[i]!,
            });
          }
        }
        expect(viaLibpcap.length).toBe(viaNativeFree.length);
        viaLibpcap.forEach((r, k) => {
          expect(r.data).toBe(viaNativeFree[k]!.data);
          expect(r.linkType).toBe(viaNativeFree[k]!.linkType);
          expect(r.ts).toBeCloseTo(viaNativeFree[k]!.ts, 6);
        });
      },
    );
  }

  // `len` is the record's original length: the expected frames follow from the file alone.
  const filtered: [name: string, bpf: string, keep: (r: ReadRecord) => boolean][] = [
    ['heplify_sip_ipv4_tcp.pcap', 'len <= 100', (r) => r.origLen <= 100],
    ['heplify_sip_ipv4_tcp.pcap', 'len > 200 and len < 600', (r) => r.origLen > 200 && r.origLen < 600],
    ['rtpproxy_rtcp.o.pcap', 'len < 200', (r) => r.origLen < 200],
    ['heplify_ipip0.pcap', 'len < 600', (r) => r.origLen < 600],
  ];
  for (const [name, bpf, keep] of filtered) {
    it.skipIf(!available)(`${name} through '${bpf}': the file's records, with their frame numbers and offsets in the file`, async () => {
      const file = await readAll(capture(name));
      const expected = file.records.filter(keep);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(file.records.length);
      for (const maxBatchRecords of [4096, 2]) {
        const got: ReadRecord[] = [];
        for await (const b of nativePcapBatches(capture(name), bpf, { maxBatchRecords })) {
          expect(b.count).toBeGreaterThan(0);
          expect(b.count).toBeLessThanOrEqual(maxBatchRecords);
          got.push(...recordsOf(b));
        }
        expect(got).toEqual(expected);
      }
    });
  }

  it.skipIf(!available)('a record libpcap cuts to the snapshot length is the file record it starts: numbered and whole, as unfiltered', async () => {
    // raw IP, snapshot length 40; the second record is 60 bytes, which libpcap cuts to 40
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(40, 16);
    header.writeUInt32LE(101, 20);
    const record = (sec: number, length: number): Buffer => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(sec, 0);
      h.writeUInt32LE(length, 8);
      h.writeUInt32LE(length, 12);
      const ip = Buffer.alloc(length);
      ip[0] = 0x45;
      ip.writeUInt16BE(length, 2);
      ip[9] = 17;
      return Buffer.concat([h, ip]);
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'native-pcap-'));
    const file = path.join(dir, 'cut.pcap');
    try {
      writeFileSync(file, Buffer.concat([header, record(1700000001, 28), record(1700000002, 60), record(1700000003, 28)]));
      const got: [frame: number, capLen: number, fileOffset: number][] = [];
      for await (const b of nativePcapBatches(file, 'ip')) for (let i = 0; i < b.count; i++) got.push([b.firstFrame + i, b.capLen[i]!, b.fileOffset[i]!]);
      expect(got).toEqual([
        [1, 28, 24],
        [2, 60, 68],
        [3, 28, 144],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
