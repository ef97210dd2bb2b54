/**
 * Found by a review of SIP over WebSocket stream handling (round 20 fixes), fixed since: a frame's
 * payload is always copied out of the segment, then unmasked in the copy (src/signaling/websocket-frames.ts
 * WebSocketFrameDecoder.readFrame: Uint8Array.prototype.slice, not Buffer's, which is a view).
 * Input: a segment given as a Node Buffer (as a capture's bytes may be): (a) a masked client frame
 *   carrying an INVITE; (b) an unmasked server message in two fragments, two segments read into the
 *   same Buffer one after the other (a reader reusing its buffer).
 * Was: (a) the caller's bytes unmasked in place (Buffer.slice is a view): the segment changed under
 *   whoever reads it next; (b) the first fragment kept as a view of the caller's buffer, its bytes
 *   overwritten by the next segment: the message read wrong (a bad start line).
 * Correct: (a) the segment's bytes unchanged; (b) the INVITE read.
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';

const invite = `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
const methods = (rs: { message: unknown; errors: { reason: string }[] }[]) =>
  rs.map((r) => (r.message && typeof r.message === 'object' && 'method' in r.message ? (r.message as { method: string }).method : r.errors.map((e) => e.reason).join(',')));

it('(a) a masked frame in a Buffer: read, and the Buffer left as it was', () => {
  const mask = [0x11, 0x22, 0x33, 0x44];
  const p = Buffer.from(invite, 'latin1');
  const seg = Buffer.concat([Buffer.from([0x81, 0x80 | 126, p.length >> 8, p.length & 255, ...mask]), Buffer.from(p.map((x, i) => x ^ mask[i & 3]!))]);
  const before = Buffer.from(seg);
  const demux = new SipFlowDemux();
  expect(methods(demux.push('10.0.0.1:40000>10.0.0.2:443', seg, 0, seg.length))).toEqual(['INVITE']);
  expect(seg.equals(before)).toBe(true);
});

it('(b) an unmasked message in two fragments, each segment read into the same Buffer: the INVITE read', () => {
  const p = Buffer.from(invite, 'latin1');
  const half = 100;
  const first = Buffer.concat([Buffer.from([0x01, half]), p.subarray(0, half)]);
  const rest = p.length - half;
  const second = Buffer.concat([Buffer.from([0x80, 126, rest >> 8, rest & 255]), p.subarray(half)]);
  const reused = Buffer.alloc(Math.max(first.length, second.length));
  const demux = new SipFlowDemux();
  const key = '10.0.0.2:443>10.0.0.1:40000';
  // (a server's first fragment alone, whose end is where the bytes end: taken for WebSocket)
  first.copy(reused);
  const out = demux.push(key, reused, 0, first.length);
  reused.fill(0x58);
  second.copy(reused);
  out.push(...demux.push(key, reused, 0, second.length));
  expect(demux.kindOf(key)).toBe('websocket');
  expect(methods(out)).toEqual(['INVITE']);
});
