import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptureBatches, type ReadMode, slowRead } from '../../native-free/capture.js';
import { encodePcapFileHeader, encodePcapRecord } from '../../native-free/write.js';
import { concatBytes, readAll, readBytes } from './capture-helpers.js';

const records = Array.from({ length: 40 }, (_, k) => new Uint8Array(k * 5 + 1).fill(k));
const file = concatBytes(encodePcapFileHeader(1), ...records.map((d, k) => encodePcapRecord(100 + k, d)));

describe('read modes: the same records and batches however the chunks are read', () => {
  it('sync, ahead and auto agree for every chunk size, with batches reused or not', async () => {
    for (const chunkBytes of [1, 7, 24, 100, 1 << 20]) {
      for (const reuseBatches of [false, true]) {
        const ahead = await readBytes(file, { chunkBytes, maxBatchRecords: 6, reuseBatches, recycleChunks: true, readMode: 'ahead' });
        expect(ahead.error).toBeUndefined();
        expect(ahead.records.map((r) => r.data)).toEqual(records.map((d) => [...d]));
        for (const readMode of ['sync', 'auto'] as const) {
          const other = await readBytes(file, { chunkBytes, maxBatchRecords: 6, reuseBatches, recycleChunks: true, readMode });
          expect(other, `${readMode}, chunk ${chunkBytes}`).toEqual(ahead);
        }
      }
    }
  });

  it('auto turns to reading ahead after two slow reads in a row, mid-file, and loses nothing', async () => {
    const sync = await readBytes(file, { chunkBytes: 50, maxBatchRecords: 4, readMode: 'sync', recycleChunks: true });
    // judged reads: every read but the first (into a fresh chunk); the 2nd and 3rd are slow
    let judged = 0;
    const switched = await readBytes(file, { chunkBytes: 50, maxBatchRecords: 4, readMode: 'auto', recycleChunks: true, isSlowRead: () => ++judged >= 2 });
    expect(judged).toBe(3);
    expect(switched).toEqual(sync);
  });

  it('auto stays synchronous through one slow read alone, and judges no read into a fresh chunk', async () => {
    let judged = 0;
    const chunks = Math.ceil(file.length / 50) + 1; // the last read finds the end
    const once = await readBytes(file, { chunkBytes: 50, readMode: 'auto', recycleChunks: true, isSlowRead: () => ++judged === 2 });
    expect(once.error).toBeUndefined();
    expect(judged).toBe(chunks - 1);
    // without recycled chunks every read would fill a fresh one: auto reads ahead and judges nothing
    judged = 0;
    await readBytes(file, { chunkBytes: 50, readMode: 'auto', isSlowRead: () => ++judged > 0 });
    expect(judged).toBe(0);
  });

  it('sync reads give the event loop a turn per chunk: timers and signal handlers run during a read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nf-turns-'));
    try {
      const capture = path.join(dir, 'c.pcap');
      writeFileSync(capture, file);
      // counts the event loop's turns: one tick per turn while the read lasts
      let turns = 0;
      let reading = true;
      const tick = () => {
        turns++;
        if (reading) setImmediate(tick);
      };
      setImmediate(tick);
      const seen: number[] = [];
      for await (const batch of readCaptureBatches(capture, { chunkBytes: 64, readMode: 'sync', recycleChunks: true })) {
        if (batch.count > 0) seen.push(turns);
      }
      reading = false;
      // the loop turned between one chunk's batch and the next's (the consumer does nothing asynchronous)
      const advanced = seen.filter((t, k) => k > 0 && t > seen[k - 1]!).length;
      expect(seen.length).toBeGreaterThan(8);
      expect(advanced).toBeGreaterThanOrEqual(seen.length - 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file and offset of a broken record the same way in every mode', async () => {
    const broken = concatBytes(file, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0));
    const seen = await Promise.all((['sync', 'ahead', 'auto'] as const).map((readMode) => readBytes(broken, { chunkBytes: 64, readMode })));
    for (const r of seen) {
      expect(r.records).toHaveLength(records.length);
      expect(r.error?.message).toMatch(new RegExp(`at byte ${file.length}: absurd record length`));
    }
  });

  it('a FIFO gives the records and the batches of the same bytes in a file, in every mode, however slowly its writer writes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nf-fifo-'));
    /** every batch's first frame and count, and every record's bytes, in one pass */
    const walk = async (p: string, readMode: ReadMode) => {
      const batches: [number, number][] = [];
      const data: number[][] = [];
      for await (const b of readCaptureBatches(p, { chunkBytes: 64, maxBatchRecords: 6, readMode, recycleChunks: true, reuseBatches: true })) {
        batches.push([b.firstFrame, b.count]);
        for (let i = 0; i < b.count; i++) data.push([...b.bytes.subarray(b.dataOffset[i]!, b.dataOffset[i]! + b.capLen[i]!)]);
      }
      return { batches, data };
    };
    try {
      const src = path.join(dir, 'capture.pcap');
      writeFileSync(src, file);
      const expected = await walk(src, 'sync');
      expect(expected.data).toEqual(records.map((d) => [...d]));
      for (const readMode of ['auto', 'ahead', 'sync'] as const) {
        const fifo = path.join(dir, `capture-${readMode}.fifo`);
        execFileSync('mkfifo', [fifo]);
        // 13 bytes at a time, a millisecond apart: the reader gets short reads all along
        const slowWriter = `const fs = require('fs'); const data = fs.readFileSync(process.argv[1]); const fd = fs.openSync(process.argv[2], 'w'); let at = 0;
          const step = () => { if (at >= data.length) return fs.closeSync(fd); fs.writeSync(fd, data.subarray(at, at + 13)); at += 13; setTimeout(step, 1); }; step();`;
        const writer = spawn(process.execPath, ['-e', slowWriter, src, fifo], { stdio: 'ignore' });
        try {
          expect(await walk(fifo, readMode), readMode).toEqual(expected);
        } finally {
          writer.kill();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('slowRead: a read that waited on a device', () => {
  it('a page-cache copy (4 MiB in half a millisecond) is not slow; 4 MiB at 500 MB/s is', () => {
    expect(slowRead(4 << 20, 0.5)).toBe(false);
    expect(slowRead(4 << 20, 5)).toBe(false);
    expect(slowRead(4 << 20, 8.4)).toBe(true);
  });
  it('a short read gets a millisecond of grace; an empty read at the end is never slow unless it waited', () => {
    expect(slowRead(1000, 0.9)).toBe(false);
    expect(slowRead(1000, 1.5)).toBe(true);
    expect(slowRead(0, 0.1)).toBe(false);
  });
});
