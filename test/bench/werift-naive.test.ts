/**
 * The naive werift pipeline reads the capture as the record walk it is set against does, chunks
 * and batches recycled. It read fresh ones: on the bench VM a fresh page costs ~11.4 µs to
 * touch, ~134 k faults over the 548 MB capture, ~1.5 s of CPU charged to werift's decoding
 * (five interleaved pairs: 7.6/8.8/10.3/7.2/5.4 s against 6.4/3.5/6.5/5.6/6.0 s recycled).
 */
import { describe, expect, it, vi } from 'vitest';

const calls: unknown[] = [];

vi.mock('../../native-free/capture.js', () => ({
  readCaptureBatches: (file: string, options?: unknown) => {
    calls.push({ file, options });
    return (async function* () {})();
  },
}));

describe('naive werift pipeline reader', () => {
  it('reads the capture as the record walk it is compared with does (chunks and batches recycled)', async () => {
    const { weriftNaivePipeline } = await import('../../bench/werift-naive.js');
    await weriftNaivePipeline('/x/capture.pcap');
    expect(calls).toEqual([{ file: '/x/capture.pcap', options: expect.objectContaining({ recycleChunks: true, reuseBatches: true }) }]);
  });
});
