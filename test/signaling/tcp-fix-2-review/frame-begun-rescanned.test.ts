/**
 * Found by a review of SIP over TCP framing (4c9813e), fixed since: an undecided direction's carried bytes are appended to in a buffer of its own, read again only from their unfinished last line, and "websocket" is looked for once over the new bytes (the carry's position remembered): cost in proportion to the bytes (src/signaling/sip-flows.ts SipFlowDemux.read, classify, findWebSocket).
 * Input: a TCP direction not decided yet (SipFlowDemux.push, one call per segment as the packet
 *   feed makes) whose first bytes are a frame header 81 7e 3f 00 (a text frame of 16128 bytes),
 *   then 3000 one-byte segments each holding an LF — a sender writing byte by byte, or a crafted
 *   flow; CR/LF do not count against the 16 KiB undecided budget.
 * Correct: SPEC §7 inputs "any size, streamed"; README: an undecided direction is given up after
 *   16 KiB of bytes — classifying one must cost time in proportion to its bytes, not their cube.
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';

it('3000 one-byte segments after a frame header begun: classified in well under 3 s', () => {
  const d = new SipFlowDemux();
  const head = Uint8Array.of(0x81, 0x7e, 0x3f, 0x00);
  d.push('k', head, 0, head.length);
  const lf = Uint8Array.of(0x0a);
  const t0 = performance.now();
  let pushed = 0;
  while (pushed < 3000 && performance.now() - t0 < 3000) {
    d.push('k', lf, 0, 1);
    pushed++;
  }
  expect({ pushed, kind: d.kindOf('k') }).toEqual({ pushed: 3000, kind: 'undecided' });
  expect(performance.now() - t0).toBeLessThan(3000);
}, 20_000);
