/**
 * Found by a review of 8645e8d's SIP stream fixes, fixed since: a TLS-shaped later segment gives an
 * undecided direction up only when it showed no whole line of text and holds no SIP start line
 * (src/signaling/sip-flows.ts SipFlowDemux.classify: Flow.sawText, knownStartLineIn).
 * Input: plain SIP over TCP picked up mid-message (SipFlowDemux, as the packet feed drives it): the
 *   first segment is the text part of a multipart body (boundary and header lines, LF-ended); the
 *   second segment starts inside the body's binary part whose bytes there happen to be
 *   17 03 03 10 00 (the shape of a TLS record header, length 4096 past the segment's end), then the
 *   closing boundary and an INVITE; a third segment brings another INVITE.
 * Was: the direction is given up as not SIP at the second segment (8645e8d's tlsRecords() at a
 *   later segment's start, checked before any start line is looked for): both INVITEs are lost
 *   without a word. 0330ccc read both.
 * Correct: both INVITEs read. The README's rule is for "the capture began inside a record" —
 *   a direction whose bytes so far were LF-ended text lines was not picked up inside ciphertext,
 *   and a SIP start line in the same bytes is far firmer evidence than five header-shaped bytes
 *   (about 1 in 4 million segments of a binary body start so; what is lost is the whole call's
 *   signaling, silently).
 * Fix: src/signaling/sip-flows.ts SipFlowDemux.classify: apply tlsRecords() at a later segment only
 *   when the direction's earlier bytes held no text line (e.g. no LF seen yet / track "saw text"
 *   on the flow), and/or look for a SIP start line in the bytes before giving the direction up.
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';

const B = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const cat = (...a: Uint8Array[]) => Uint8Array.from(Buffer.concat(a));
const invite = (n: number) =>
  `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK${n}\r\nFrom: <sip:a@x>;tag=${n}\r\nTo: <sip:b@y>\r\nCall-ID: c${n}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;

it('a segment opening with TLS-record-shaped body bytes does not give up a SIP direction already seen carrying text', () => {
  const demux = new SipFlowDemux();
  const key = '10.0.0.1:40000>10.0.0.2:5060';
  const seg1 = B('--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\na=sendrecv\r\n--b1\r\nContent-Type: application/octet-stream\r\n\r\n');
  const binaryTail = Uint8Array.from([0x17, 0x03, 0x03, 0x10, 0x00, 0x9e, 0x41, 0x07, 0xfe, 0x33]);
  const seg2 = cat(binaryTail, B('\r\n--b1--\r\n' + invite(1)));
  const seg3 = B(invite(2));
  const results = [seg1, seg2, seg3].flatMap((s) => demux.push(key, s, 0, s.length));
  const methods = results.flatMap((r) => (r.message && 'method' in r.message ? [(r.message as { method: string }).method] : []));
  expect(demux.kindOf(key)).toBe('sip');
  expect(methods).toEqual(['INVITE', 'INVITE']);
});
