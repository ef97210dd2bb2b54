/**
 * The speed limit: a bare walk over every record of a capture with readCaptureBatches, touching
 * nothing but each record's length. Chunks are recycled and one batch object is refilled (as
 * replay reads): the fastest way this reader gets through a file, fresh memory per chunk or
 * per batch being slower to fill. And the same walk through the native-free packet layers
 * (link, IP, UDP/TCP) with PacketDecoder, the first thing replay does with each record.
 */
import { stat } from 'node:fs/promises';
import { readCaptureBatches } from '../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../native-free/packet-decoder.js';

/**
 * How every whole-capture pass of the bench reads (the walks, the naive werift pipeline; the
 * replay does the same): chunks recycled, one batch object refilled — so none of them pays
 * the reader's fresh pages (~134 k first touches over the 548 MB capture) and the others not.
 */
export const RECYCLED_READ = { recycleChunks: true, reuseBatches: true } as const;

export interface WalkResult {
  records: number;
  capturedBytes: number;
  fileBytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
}

function result(records: number, capturedBytes: number, fileBytes: number, seconds: number): WalkResult {
  return { records, capturedBytes, fileBytes, seconds, recordsPerSec: records / seconds, mbPerSec: fileBytes / 1e6 / seconds };
}

/** One bare walk: records and captured bytes counted, nothing decoded. */
export async function walkRecords(file: string): Promise<WalkResult> {
  const fileBytes = (await stat(file)).size;
  const started = performance.now();
  let records = 0;
  let capturedBytes = 0;
  for await (const batch of readCaptureBatches(file, RECYCLED_READ)) {
    const capLen = batch.capLen;
    for (let i = 0; i < batch.count; i++) capturedBytes += capLen[i]!;
    records += batch.count;
  }
  return result(records, capturedBytes, fileBytes, (performance.now() - started) / 1000);
}

/** The walk plus PacketDecoder.decode on every record (link, IP, transport layers). */
export async function walkPacketLayers(file: string): Promise<WalkResult & { udp: number }> {
  const fileBytes = (await stat(file)).size;
  const decoder = new PacketDecoder();
  const view = createPacketView();
  const started = performance.now();
  let records = 0;
  let capturedBytes = 0;
  let udp = 0;
  for await (const batch of readCaptureBatches(file, RECYCLED_READ)) {
    for (let i = 0; i < batch.count; i++) {
      if (decoder.decode(batch, i, view) === 'udp') udp++;
      capturedBytes += batch.capLen[i]!;
    }
    records += batch.count;
  }
  decoder.flush();
  return { ...result(records, capturedBytes, fileBytes, (performance.now() - started) / 1000), udp };
}

/** Best (fastest) of `runs` calls of `walk`. */
export async function bestOf<T extends { seconds: number }>(runs: number, walk: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let r = 0; r < runs; r++) {
    const got = await walk();
    if (!best || got.seconds < best.seconds) best = got;
  }
  return best!;
}
