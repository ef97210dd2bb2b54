/**
 * Found by a review of SIP over TCP framing (7ff7a73), fixed since: a frame-shaped tail starts SIP after it only when it is no line of text, ends before any LF, and what follows names a method or is a status line (src/signaling/sip-flows.ts SipFlowDemux.classify).
 */
/**
 * Input: plain SIP over TCP joined mid-message (SipFlowDemux.push, one call per segment): the
 *   first segment opens with the tail of a 200 OK's header section ("Allow: INVITE, ACK, BYE…",
 *   then Content-Length: 0 and the empty line, 105–109 bytes in all), then a whole INVITE at a
 *   line start; a BYE in the next segment.
 * Was: 'A' 'l' (0x41 0x6c) passes frameStart and frameEnd puts its "frame" end at off + 110; the
 *   new tailEnd shortcut (7ff7a73) takes SIP from there when looksLikeSip accepts it — inside the
 *   INVITE's method ("NVITE sip:… SIP/2.0", "VITE …", … "E …" all pass): the INVITE is read as a
 *   request of method NVITE/VITE/ITE/TE/E. Before 7ff7a73 the line search read "INVITE one".
 * Correct: SPEC §7 SIP over TCP; RFC 3261 §18.3 (a message starts at its start line) — the bytes at
 *   the chunk's start read as a line of text are no frame (the rule opensWithFrames already keeps
 *   for 'A'/'B': textLine), and a start line at a line start before the "frame's" end comes first:
 *   "INVITE one", "BYE two".
 * Fix: src/signaling/sip-flows.ts classify(): take tailEnd only when the bytes at off are not a
 *   text line (!textLine(b, off, end), or realFrameStart(b[off])) and tailEnd opens a known start
 *   line (opensKnownStartLine) with no LF between off and tailEnd (the tail holds no line break).
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { sipMsg } from '../tcp-reassembly-review/lab.js';

const L = (s: string) => Buffer.from(s, 'latin1');

it('a segment opening at an Allow: line, an INVITE after it: the INVITE is read with its own method', () => {
  const got: string[] = [];
  for (let pad = 55; pad < 68; pad++) {
    const tail = 'Allow: INVITE, ACK, BYE' + 'x'.repeat(pad) + '\r\nContent-Length: 0\r\n\r\n';
    const d = new SipFlowDemux();
    const out: string[] = [];
    for (const c of [L(tail + sipMsg('INVITE', 'one')), L(sipMsg('BYE', 'two'))]) out.push(...d.push('k', c, 0, c.length).map((r) => (r.message ? `${r.message.method} ${r.message.callId}` : `${r.errors[0]?.reason}`)));
    got.push(`${tail.length}: ${d.kindOf('k')} ${out.join(',')}`);
  }
  expect(got).toEqual(Array.from({ length: 13 }, (_, i) => `${55 + i + 46}: sip INVITE one,BYE two`));
});
