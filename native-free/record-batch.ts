/**
 * Record batches and the contract between the chunked file reader (capture.ts) and the
 * per-format walkers (pcap.ts, pcapng.ts).
 */
import type { RecordBatch } from './types.js';

/** Records per batch at most: large enough to amortise per-batch work, small enough to shard. */
export const DEFAULT_MAX_BATCH_RECORDS = 8192;

/** The largest captured length accepted for one record (Wireshark's own limit for most links). */
export const MAX_RECORD_BYTES = 262144;

export function createRecordBatch(bytes: Uint8Array, capacity: number, firstFrame: number): RecordBatch {
  return {
    bytes,
    count: 0,
    firstFrame,
    dataOffset: new Uint32Array(capacity),
    capLen: new Uint32Array(capacity),
    origLen: new Uint32Array(capacity),
    linkType: new Uint16Array(capacity),
    ts: new Float64Array(capacity),
    fileOffset: new Float64Array(capacity),
  };
}

/**
 * Walks the records of one capture format. A walker keeps the format's state between chunks
 * (byte order, interfaces) and consumes only whole records; the reader carries the rest over.
 */
export interface CaptureRecordWalker {
  /**
   * Appends the whole records found in bytes[start, end) to `batch` until it is full, and
   * returns the offset of the first byte not consumed. `fileBase` is the file offset of bytes[0].
   * Throws CaptureError for input that cannot be read on; records appended before stay counted
   * in `batch.count`.
   */
  walk(bytes: Uint8Array, view: DataView, start: number, end: number, fileBase: number, batch: RecordBatch): number;
  /**
   * At the end of the file with bytes[start, end) left over: throws CaptureError when they are
   * a header the file cannot be read without, else returns why the last record is incomplete.
   */
  describeLeftover(bytes: Uint8Array, view: DataView, start: number, end: number, fileBase: number): string;
  /** The smallest number of bytes a record takes, for sizing batches. */
  readonly minRecordBytes: number;
  /** Bytes of a block the walker passes over unread still to come (pcapng: a large block without packets). */
  readonly pendingSkip?: number;
}
