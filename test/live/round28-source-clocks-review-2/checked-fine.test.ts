/**
 * Checks of commit 637d50b that came out fine.
 * - SourcePacketBatcher: an agent heard all along keeps its number past 1024 others (least
 *   recently heard is what goes); a forgotten agent heard again gets a new number, never one
 *   given before (no two agents share a clock).
 * - SourceClocks.now asked in record order (as the feed does: every SIP context's frame is the
 *   current record's, TCP/WebSocket/resumed runs included; end-of-capture ones the last record's)
 *   gives each source's clock after its last record up to the frame, else as the batch began.
 * - SourceClocks keeps at most 2048 clocks; a forgotten one falls back to the capture clock.
 */
import { expect, it } from 'vitest';
import type { RecordBatch } from '../../../native-free/types.js';
import { SourceClocks } from '../../../src/pipeline/capture-clock.js';
import { SourcePacketBatcher } from '../../../src/sources/source-batch.js';
import type { SourcePacket } from '../../../src/sources/source-packet.js';

const pkt = (origin: string): SourcePacket => ({ ts: 1, src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: new Uint8Array(4), proto: 'udp', origin }) as SourcePacket;

it('batcher: LRU keeps an active agent, a forgotten one gets a fresh number', () => {
  const b = new SourcePacketBatcher();
  const keep = b.toBatch([pkt('keep#1')]).source![0]!;
  const gone = b.toBatch([pkt('gone#1')]).source![0]!;
  const seen = new Set<number>([keep, gone]);
  for (let i = 0; i < 1100; i++) {
    const s = b.toBatch([pkt(`x${i}#`), pkt('keep#1')]).source!;
    expect(s[1]).toBe(keep);
    expect(seen.has(s[0]!)).toBe(false);
    seen.add(s[0]!);
  }
  const again = b.toBatch([pkt('gone#1')]).source![0]!;
  expect(again).not.toBe(gone);
  expect(seen.has(again)).toBe(false);
});

function batch(first: number, ts: number[], sources: number[]): RecordBatch {
  return { count: ts.length, firstFrame: first, ts: Float64Array.from(ts), source: Uint32Array.from(sources) } as unknown as RecordBatch;
}

it('SourceClocks.now in record order: each source after its last record, else as the batch began', () => {
  const c = new SourceClocks(() => -1);
  c.begin(batch(1, [100, 200], [1, 2]), 1000);
  c.begin(batch(3, [101, 201, 102, 202], [1, 2, 1, 2]), 1010);
  expect(c.now(3, 3)).toBe(-1); // never heard: fallback
  expect(c.now(2, 3)).toBe(210); // as the batch began: 200 moved on by 10 s of service time
  expect(c.now(1, 3)).toBe(101);
  expect(c.now(2, 4)).toBe(201);
  expect(c.now(1, 5)).toBe(102);
  expect(c.now(2, 6)).toBe(202);
});

it('SourceClocks keeps 2048 clocks; a forgotten one falls back to the capture clock', () => {
  const c = new SourceClocks(() => -1);
  c.begin(batch(1, [5], [1]), 0);
  const n = 2048;
  c.begin(batch(2, Array(n).fill(50), Array.from({ length: n }, (_, i) => i + 2)), 0);
  c.begin(batch(2 + n, [60], [2]), 0);
  expect(c.now(1, 2 + n)).toBe(-1);
  expect(c.now(3, 2 + n)).toBe(50);
});
