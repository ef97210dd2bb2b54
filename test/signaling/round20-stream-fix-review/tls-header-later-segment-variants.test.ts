/**
 * Found by a review of SIP over TCP stream handling (round 20 fixes), fixed since: a TLS record
 * header at a later segment's start gives an undecided direction up only when it has shown no whole
 * line of text (Flow.sawText), and not when a SIP start line follows in the same bytes
 * (src/signaling/sip-flows.ts SipFlowDemux.classify, knownStartLineIn).
 * Input: plain SIP picked up mid-message, a later segment opening with body bytes shaped like a
 *   TLS record header (17 03 03 10 00): (a) after text lines, the next INVITE only in the segment
 *   after it; (b) after binary bytes only (no text), the INVITE in that same segment; (c) after
 *   binary bytes only, no start line anywhere (ciphertext-like).
 * Was: (a) and (b) given up as not SIP at the TLS-shaped segment, the INVITE lost silently.
 * Correct: (a) and (b) the INVITE read; (c) still given up ('other'), nothing reported.
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';

const B = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const cat = (...a: Uint8Array[]) => Uint8Array.from(Buffer.concat(a));
const invite = (n: number) =>
  `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK${n}\r\nFrom: <sip:a@x>;tag=${n}\r\nTo: <sip:b@y>\r\nCall-ID: c${n}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
const key = '10.0.0.1:40000>10.0.0.2:5060';
// binary body bytes: no LF, no byte a WebSocket frame may start with ((b & 0x30) !== 0)
const binary = Uint8Array.from({ length: 200 }, (_, i) => 0x30 | ((i * 37) & 0xcf));
const tlsShaped = Uint8Array.from([0x17, 0x03, 0x03, 0x10, 0x00, 0x9e, 0x41, 0x07, 0xfe, 0x33]);

function read(segs: Uint8Array[]): { kind: string | null; got: string[] } {
  const demux = new SipFlowDemux();
  const out = segs.flatMap((s) => demux.push(key, s, 0, s.length));
  const kind = demux.kindOf(key);
  out.push(...demux.endAll('end of capture').map((c) => c.report));
  return { kind, got: out.map((r) => (r.message && 'method' in r.message ? (r.message as { method: string }).method : r.errors.map((e) => e.reason).join(','))) };
}

it('(a) text lines seen: a TLS-shaped segment with no start line does not give the direction up; the INVITE after it is read', () => {
  const seg1 = B('--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\na=sendrecv\r\n--b1\r\nContent-Type: application/octet-stream\r\n\r\n');
  const seg2 = cat(tlsShaped, B('\r\n--b1--\r\n'));
  expect(read([seg1, seg2, B(invite(1))])).toEqual({ kind: 'sip', got: ['INVITE'] });
});

it('(b) no text seen: a TLS-shaped segment holding a start line is read from it', () => {
  const seg2 = cat(tlsShaped, B('\r\n--b1--\r\n' + invite(1)));
  expect(read([binary, seg2, B(invite(2))])).toEqual({ kind: 'sip', got: ['INVITE', 'INVITE'] });
});

it('(c) no text seen, no start line: given up at the TLS-shaped segment, nothing reported', () => {
  const seg2 = cat(tlsShaped, binary);
  expect(read([binary, seg2, binary])).toEqual({ kind: 'other', got: [] });
});
