/**
 * Review: bench/werift-naive.ts walks the capture with readCaptureBatches(file) — defaults: a
 * fresh 4 MiB chunk per read and fresh batch arrays per batch — while the record walk it is set
 * against (bench/record-walk.ts) and the replay read with recycleChunks and reuseBatches. On
 * the bench VM a fresh page costs ~11.4 µs to touch (bench/page-touch.ts): 548 MB of fresh
 * chunks are ~134 k faults, ~1.5 s of CPU that is the reader's, not werift's decoding. Five
 * interleaved pairs here: 7.6/8.8/10.3/7.2/5.4 s as written, 6.4/3.5/6.5/5.6/6.0 s with the
 * walk's reader options (a loaded machine, but 4 of 5 pairs favour the recycled reader).
 */
import { describe, expect, it, vi } from 'vitest';

const calls: unknown[] = [];

vi.mock('../../native-free/capture.js', () => ({
  readCaptureBatches: (file: string, options?: unknown) => {
    calls.push({ file, options });
    return (async function* () {})();
  },
}));

describe('naive werift pipeline reader (review)', () => {
  it('reads the capture as the record walk it is compared with does (chunks and batches recycled)', async () => {
    const { weriftNaivePipeline } = await import('../../bench/werift-naive.js');
    await weriftNaivePipeline('/x/capture.pcap');
    expect(calls).toEqual([{ file: '/x/capture.pcap', options: expect.objectContaining({ recycleChunks: true, reuseBatches: true }) }]);
  });
});
