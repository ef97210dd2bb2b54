/**
 * Found by a review of SIP over TCP / WebSocket stream handling (round 20), fixed since: a
 * direction picked up without a handshake is taken for WebSocket only on firm evidence — frames
 * chaining to where the bytes end, a payload opening with a SIP start line, or three whole frames
 * chaining (a chain cut by the end of the bytes is carried and followed into the next segment) —
 * and a TLS record header at the start of any later segment gives an undecided direction up
 * (sip-flows.ts SipFlowDemux.classify, chainedFrames, tlsRecords).
 * Input: SIP over TLS picked up inside a record, as SipFlowDemux sees it: 2000 directions, each
 *   16 KiB application-data records of seeded random ciphertext in 1448-byte segments, the
 *   first segment of the first record missed (so about 11 segments of ciphertext come before
 *   the next record header).
 * Was: 97 directions of 2000 taken for WebSocket (one frame whose end fell on a byte a frame may
 *   start with was enough), their ciphertext read as frames: bad-websocket-frame, bad-start-line,
 *   oversized-message results.
 * Correct: no direction is WebSocket or SIP, no result at all (each is given up as not SIP).
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  };
}

it('TLS with 16 KiB records picked up inside one: never WebSocket, never SIP, nothing reported', () => {
  const rand = prng(2020);
  const demux = new SipFlowDemux();
  const results: string[] = [];
  const kinds = new Map<string, number>();
  for (let n = 0; n < 2000; n++) {
    const key = `10.1.${n >> 8}.${n & 0xff}:${40000 + n}>10.2.0.1:5061`;
    const stream: number[] = [];
    for (let r = 0; r < 3; r++) {
      const len = 16384 - (rand() & 0x3f);
      stream.push(0x17, 0x03, 0x03, len >> 8, len & 0xff);
      for (let i = 0; i < len; i++) stream.push(rand());
    }
    const bytes = Uint8Array.from(stream);
    // each record in 1448-byte segments from its header; the first segment missed
    let first = true;
    for (let rec = 0; rec < bytes.length; ) {
      const recEnd = rec + 5 + ((bytes[rec + 3]! << 8) | bytes[rec + 4]!);
      for (let at = rec; at < recEnd; at += 1448) {
        if (!first) for (const res of demux.push(key, bytes, at, Math.min(1448, recEnd - at))) results.push(`${key} ${res.message ? 'message' : res.errors[0]!.reason}`);
        first = false;
      }
      rec = recEnd;
    }
    const kind = demux.kindOf(key) ?? 'gone';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  for (const { report } of demux.endAll('the end of the capture')) results.push(report.errors[0]?.reason ?? 'message');
  expect(results).toEqual([]);
  expect([...kinds]).toEqual([['other', 2000]]);
}, 120_000);
