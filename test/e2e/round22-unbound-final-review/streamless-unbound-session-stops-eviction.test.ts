/**
 * Found by a final review of the unbound-session retirement (b785f4a), fixed since: an unbound session an RTCP compound made no stream in is dropped after it (src/pipeline/media-core.ts readRtcp), and evictOne samples every session when the unbound sample finds no victim (src/binding/stream-table.ts evictOne).
 * Input: one MediaCore, maxStreams 10. One RTCP compound on a pair no signaling names: a single
 *   SDES packet whose one chunk has no items (valid RTCP, as in
 *   sdes-senders-without-stream-grow-ssrc-index): an unbound session with no stream. Then a
 *   call (scope) whose media brings 50 SSRCs (one RTP packet each) — a flood the bound is for.
 * Was (observed): the table holds 50 streams (limit 10), nothing evicted, no state-limit report.
 *   StreamTable.evictOne samples only the `unbound` map while it is non-empty; its one session has
 *   no stream, sample() returns no victim, and nothing is evicted — for as long as any streamless
 *   unbound session exists (sweepUnbound drops one at the next signaling event ≥ 60 s later; with
 *   no signaling, never). Unbound sessions without a stream are themselves outside the bound
 *   (one per pair a stray compound came on). Older than this chain (bbbb682's unbound-first
 *   eviction), still so after b785f4a.
 * Correct: the stream table never holds more than maxStreams (StreamTable's doc: "Bounded: past
 *   maxStreams the least recently seen of a sample of streams is evicted"); a state-limit report
 *   says so.
 * Fix: src/binding/stream-table.ts evictOne: when the unbound sample finds no victim, sample
 *   `sessions` (and let go of streamless unbound sessions met while sampling, forgetUnbound);
 *   better, do not keep an unbound session no stream was made in (MediaCore.readRtcp: drop it
 *   after the compound if it holds no stream).
 */
import { expect, it } from 'vitest';
import { at, Driver, scopeOf, section } from './lib.js';

it('a streamless unbound session does not switch eviction off', () => {
  const d = new Driver({ maxStreams: 10 });
  d.rtcp(0, at('192.0.2.7', 5001, '198.51.100.9', 4001), [{ pt: 202, chunks: [{ ssrc: 1, items: [] }] } as never]);
  d.scope(0, scopeOf('C', section([['10.0.0.1', 4000], ['10.0.0.2', 5000]])));
  for (let i = 0; i < 50; i++) d.rtp(1, at('10.0.0.2', 5000, '10.0.0.1', 4000), 100 + i, 1);
  expect(d.core.streamCount, 'streams held').toBeLessThanOrEqual(10);
  expect(d.core.drain().reports.some((r) => r.text.includes('"state-limit"'))).toBe(true);
});
