/**
 * Reading a ~1 GB capture must stay within a fixed amount of memory. The reader runs in a
 * child process (its peak RSS is then its own), from the compiled dist/ that `npm test` builds.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodePcapFileHeader, encodePcapRecord } from '../../native-free/write.js';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';

const compiledReader = path.resolve(process.cwd(), 'dist/native-free/capture.js');
const child = path.resolve(process.cwd(), 'test/native-free/memory-child.mjs');
const distMissing = !existsSync(compiledReader);

describe('reading a large capture', () => {
  it.skipIf(distMissing)(
    `~1 GB pcap read with < 200 MB resident, every record seen${distMissing ? ' (skipped: dist/native-free/capture.js missing — run `npm run build`)' : ''}`,
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'nf-memory-'));
      const file = path.join(dir, 'large.pcap');
      try {
        // One 4 MiB block of 200-byte RTP-sized records, written 256 times.
        const frame = buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5004, dport: 5005, payload: new Uint8Array(158) });
        const record = encodePcapRecord(1700000000.000001, frame);
        const perBlock = Math.floor((4 * 1024 * 1024) / record.length);
        const block = new Uint8Array(perBlock * record.length);
        for (let k = 0; k < perBlock; k++) block.set(record, k * record.length);
        const repeats = 256;
        const fd = openSync(file, 'w');
        try {
          writeSync(fd, encodePcapFileHeader(1));
          for (let k = 0; k < repeats; k++) writeSync(fd, block);
        } finally {
          closeSync(fd);
        }
        const out = execFileSync(process.execPath, [child, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
        const report = JSON.parse(out) as { records: number; bytes: number; lastFrame: number; seconds: number; maxRssBytes: number };
        expect(report.records).toBe(perBlock * repeats);
        expect(report.lastFrame).toBe(perBlock * repeats);
        expect(report.bytes).toBe(perBlock * repeats * frame.length);
        expect(report.maxRssBytes).toBeLessThan(200 * 1024 * 1024);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
