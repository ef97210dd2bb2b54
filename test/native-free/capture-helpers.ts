import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { joinBytes } from '../../native-free/bytes.js';
import { readCaptureBatches, type ReadCaptureOptions } from '../../native-free/capture.js';
import type { CaptureWarning, RecordBatch } from '../../native-free/types.js';

export interface ReadRecord {
  frame: number;
  ts: number;
  linkType: number;
  capLen: number;
  origLen: number;
  fileOffset: number;
  data: number[];
}

export interface ReadResult {
  records: ReadRecord[];
  warnings: CaptureWarning[];
  error?: Error;
  batches: number;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return joinBytes(parts);
}

/** A batch's records, copied out (the reader may reuse the batch). */
export function recordsOf(b: RecordBatch): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (let i = 0; i < b.count; i++) {
    out.push({
      frame: b.firstFrame + i,
      ts: b.ts[i]!,
      linkType: b.linkType[i]!,
      capLen: b.capLen[i]!,
      origLen: b.origLen[i]!,
      fileOffset: b.fileOffset[i]!,
      data: [...b.bytes.subarray(b.dataOffset[i]!, b.dataOffset[i]! + b.capLen[i]!)],
    });
  }
  return out;
}

/** Reads a capture file to the end (or its error), copying every record out. */
export async function readAll(file: string, opts: ReadCaptureOptions = {}): Promise<ReadResult> {
  const result: ReadResult = { records: [], warnings: [], batches: 0 };
  try {
    for await (const b of readCaptureBatches(file, { ...opts, onWarning: (w) => result.warnings.push(w) })) {
      result.batches++;
      result.records.push(...recordsOf(b));
    }
  } catch (err) {
    result.error = err as Error;
  }
  return result;
}

/** Writes bytes to a temporary file, reads them back, and removes the file. */
export async function readBytes(bytes: Uint8Array, opts: ReadCaptureOptions = {}): Promise<ReadResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nf-capture-'));
  const file = path.join(dir, 'c.pcap');
  try {
    writeFileSync(file, bytes);
    const r = await readAll(file, opts);
    for (const w of r.warnings) w.file = 'c.pcap';
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
