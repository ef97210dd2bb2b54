/**
 * Found by a review of 8645e8d's SIP stream fixes, fixed since: any frame of a chain whose payload
 * opens with a SIP start line is firm evidence (src/signaling/sip-flows.ts chainedFrames).
 * Input: SIP over WebSocket, capture begun after the handshake (SipFlowDemux): a client's segment
 *   holds a masked CRLF keep-alive frame (RFC 5626 §4.4.1, as JsSIP/SIP.js send) and the start of
 *   a masked INVITE frame, cut inside the INVITE's start line; the next segment holds the rest of
 *   the INVITE and the first 3 bytes of the next frame (its rest never captured: a short call, the
 *   capture ends). Also the same with the cut inside the INVITE frame's header.
 * Was: nothing at all — the direction stays undecided to the end: the carried chain is
 *   keep-alive → INVITE → frame begun, two whole frames (< FIRM_FRAMES) not chaining to the
 *   bytes' end, and the INVITE frame, whose payload now opens with a whole SIP start line, is
 *   never tested with framesStartLine() (only the carried first frame and the new segment's
 *   start are). The INVITE is lost silently. 0330ccc read the INVITE (and reported the 3 cut bytes).
 * Correct: the INVITE read (a frame of the chain whose payload opens with a SIP start line is
 *   firm evidence, as README says: "or the frame carries a SIP start line"); the README promises
 *   a short capture picked up after the handshake is still read.
 * Fix: src/signaling/sip-flows.ts chainedFrames() (or frames() in classify): return firm when a
 *   frame of the chain passes framesStartLine(), not only the frame at its start; or, in classify,
 *   test framesStartLine at the frame straddling the carried bytes' end (carriedEnd's walk).
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';

const B = (s: string) => Buffer.from(s, 'latin1');
const cat = (...a: Uint8Array[]) => Uint8Array.from(Buffer.concat(a));
const mask = [0x11, 0x22, 0x33, 0x44];
function clientFrame(payload: string): Uint8Array {
  const p = B(payload);
  const h = p.length < 126 ? [0x81, 0x80 | p.length] : [0x81, 0x80 | 126, p.length >> 8, p.length & 255];
  return cat(Uint8Array.from([...h, ...mask]), Uint8Array.from(p.map((x, i) => x ^ mask[i & 3]!)));
}
const invite = `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;

function read(segs: Uint8Array[]): string[] {
  const demux = new SipFlowDemux();
  const key = '10.0.0.1:40000>10.0.0.2:443';
  const out = segs.flatMap((s) => demux.push(key, s, 0, s.length));
  out.push(...demux.endAll('end of capture').map((c) => c.report));
  return out.map((r) => (r.message && 'method' in r.message ? (r.message as { method: string }).method : r.errors.map((e) => e.reason).join(',')));
}

it.each([
  ['inside the start line', 20],
  ['inside the frame header', 3],
])('keep-alive + INVITE cut %s, then its rest and a frame begun: the INVITE is read', (_, cut) => {
  const ka = clientFrame('\r\n');
  const inv = clientFrame(invite);
  const next = clientFrame('\r\n');
  const got = read([cat(ka, inv.subarray(0, cut)), cat(inv.subarray(cut), next.subarray(0, 3))]);
  expect(got).toContain('INVITE');
});
