/**
 * Found by a final review of the unbound-session retirement (b785f4a), fixed since: a pair and its sender are noted only once the session holds the sender's stream, after the packet's stream is found or made (src/pipeline/media-core.ts sessionOf / rtpDecoded / readRtcp), and go with that stream (src/binding/stream-table.ts evictOne / forgetSender).
 * Input: one MediaCore (maxStreams 1000). A pair no signaling names carries RTP of SSRC 7 once a
 *   second for 5000 s (a live unbound stream) and, beside it, one RTCP compound a second from
 *   port+1: a single SDES packet whose one chunk has no items, each from a new SSRC (1000 + i) —
 *   valid RTCP (it chains, decodes without error), as a broken peer or a scan can send; an RR
 *   whose body does not decode does the same (sender noted, no item). A scope event (another
 *   call, other addresses) every 100 s, so sweepUnbound runs.
 * Was (observed): after 5000 compounds the one unbound session holds 5001 `seen.senders` and
 *   StreamTable.unboundBySsrc 5001 keys, while the table holds 1 stream: noteDatagram (via
 *   sessionOf) files the compound's bytes 4–7 as a sender before any stream is made, and none
 *   is — splitTelemetry makes no item for a chunk with no items, learnFromSdes no stream. A
 *   sender without a stream is never unfiled (evictOne unfiles the evicted stream's SSRC only)
 *   and the session, live through its RTP, is never swept: the index grows per packet for as long
 *   as the stream runs, past the stream table's bound (maxStreams does not count it). New in
 *   b785f4a: before it the SSRC index was filed at table.stream(), bounded by the streams.
 * Correct: the unbound indexes stay within the stream table's bound — a session's filed senders
 *   are SSRCs it holds a stream of (at most `streams`), as the bf05e0c index was and as
 *   evictOne's unfiling assumes (an operator running `live` for weeks on a mirror expects memory
 *   bounded by --max streams, ARCHITECTURE/README "a scan or a broken peer cannot grow state").
 * Fix: src/binding/stream-table.ts: file a sender only once the session holds a stream of it —
 *   e.g. noteDatagram records the datagram and its would-be sender, and StreamTable.stream()
 *   (or MediaCore.rtpDecoded / readRtcp's streamFor of item.senderSsrc === the packet's sender)
 *   files it; or drop from `senders` at the end of readRtcp any sender no stream was made for.
 */
import { expect, it } from 'vitest';
import { at, Driver, indexProblems, ip4, scopeOf, section, sizes } from './lib.js';

it('RTCP senders that make no stream are not filed for ever', () => {
  const d = new Driver({ maxStreams: 1000 });
  for (let i = 0; i < 5000; i++) {
    d.rtp(i, at('192.0.2.7', 5000, '198.51.100.9', 4000), 7, i === 0 ? 2 : 1);
    d.rtcp(i, at('192.0.2.7', 5001, '198.51.100.9', 4001), [{ pt: 202, chunks: [{ ssrc: 1000 + i, items: [] }] } as never]);
    if (i % 100 === 0) d.scope(i, scopeOf(`X${i}`, section([[ip4(0x0b000000 + i), 9000]])));
  }
  expect(indexProblems(d.core)).toEqual([]);
  const s = sizes(d.core);
  expect({ unbound: s.unbound, streams: s.streams }).toEqual({ unbound: 1, streams: 1 });
  expect(s.bySsrcKeys, 'SSRCs filed in the unbound index').toBeLessThanOrEqual(s.streams);
  expect(s.senders, "the unbound session's senders").toBeLessThanOrEqual(s.streams);
});
