/**
 * Found by a review of SIP over TCP framing (0f6e73b), fixed since: a frame does not chain into bytes that open a SIP start line, and bytes shaped like a frame with a start line right after start SIP there (src/signaling/sip-flows.ts frameChains, SipFlowDemux.classify).
 */
/**
 * Input: plain SIP over TCP joined mid-message (no SYN, SipFlowDemux.push one call per segment):
 *   the first segment opens with the last bytes of a binary body (an ISUP or a multipart part) that
 *   happen to read 0x81|0x82|0xc1|0xc2|0x88 then a length L and L bytes, and the next message
 *   follows in the same segment ("INVITE sip:…"), then a BYE.
 * Was: the direction is taken for WebSocket: the body's tail passes for a frame whose end "chains"
 *   to the 'I' of INVITE (0x49 = RSV1 + Ping, which frameStart accepts); the INVITE and BYE are
 *   lost as bad-websocket-frame reports (with 0x88 nothing at all: a Close).
 * Correct: SPEC §7 SIP over TCP; README (SIP over TCP: a direction is WebSocket when a frame
 *   chains: its end where the bytes end or where another frame starts) — a request line naming a
 *   method is no frame: 0x49 is a Ping with RSV1, which no sender sends (RFC 7692 §6.1, the code's
 *   own realFrameStart). Both messages are read as plain SIP.
 * Fix: src/signaling/sip-flows.ts classify(): frames(off) (and the other non-carried tries) should
 *   not count a chain whose next "frame" opens a SIP start line (opensKnownStartLine at the frame's
 *   end), or use realFrameStart as `next` as the carried-frame try does.
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { sipMsg } from '../tcp-reassembly-review/lab.js';

const L = (s: string) => Buffer.from(s, 'latin1');

it('a binary body tail like a small frame, then INVITE in the same segment: read as plain SIP', () => {
  const got: string[] = [];
  for (const first of [0x81, 0x82, 0xc1, 0xc2, 0x88])
    for (const n of [3, 5]) {
      const tail = Uint8Array.from([first, n, ...new Array<number>(n).fill(0x33)]);
      const d = new SipFlowDemux();
      const out: string[] = [];
      for (const c of [Buffer.concat([tail, L(sipMsg('INVITE', 'one'))]), L(sipMsg('BYE', 'two'))]) out.push(...d.push('k', c, 0, c.length).map((r) => (r.message ? `${r.message.method} ${r.message.callId}` : `${r.errors[0]?.reason}`)));
      got.push(`${first.toString(16)} ${n}: ${d.kindOf('k')} ${out.join(',')}`);
    }
  expect(got).toEqual([0x81, 0x82, 0xc1, 0xc2, 0x88].flatMap((f) => [3, 5].map((n) => `${f.toString(16)} ${n}: sip INVITE one,BYE two`)));
});
