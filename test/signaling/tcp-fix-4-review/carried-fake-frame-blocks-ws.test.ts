/**
 * Found by a review of SIP over TCP framing (7ff7a73), fixed since: inside a frame carried as begun, a frame whose payload opens with a SIP start line is still taken at the new bytes (src/signaling/sip-flows.ts SipFlowDemux.classify).
 */
/**
 * Input: SIP over WebSocket joined mid-connection inside a large client frame (SipFlowDemux.push,
 *   one call per segment): the first segment seen is the middle of a masked MESSAGE frame whose
 *   payload bytes there happen to read 0x81 0xfe 0x0f 0xa0 (a masked text frame of 4000 bytes —
 *   masked payload bytes are any bytes), the next segment the frame's rest, then a masked INVITE
 *   frame, then a masked BYE frame, one segment each.
 * Was: the pseudo-frame is carried as begun (frameBegun); since 7ff7a73 insideCarried blocks the
 *   tries at each new segment's start (frames(off + carried), openAt) until that pseudo-frame's
 *   end, 4008 bytes on: the INVITE's and BYE's frame headers are never tried, the direction stays
 *   undecided and both are lost. Before 7ff7a73 the INVITE's frame was tried and the direction read
 *   as WebSocket ("INVITE one", "BYE two").
 * Correct: SPEC §7 SIP over WebSocket; README (SIP over TCP: a direction picked up after its
 *   handshake is WebSocket from a frame that chains / carries a start line) — the INVITE and BYE are read.
 * Fix: src/signaling/sip-flows.ts classify(): let insideCarried block only tries that do not
 *   frame a SIP start line — keep trying frames(off + carried) / openAt with framesStartLine (a
 *   frame whose payload opens with a start line is WebSocket whatever was carried), or block only
 *   while the carried frame's header is not all in (the mask-key case of tcp-fix-3-review).
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { sipMsg } from '../tcp-reassembly-review/lab.js';
import { wsFrame } from '../transport-review/transport-harness.js';

const L = (s: string) => Buffer.from(s, 'latin1');

it('joined inside a big masked frame whose bytes fake a long frame: the INVITE and BYE frames after it are read', () => {
  const f0 = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('MESSAGE', 'zero', 'y'.repeat(3000))), mask: true }, Uint8Array.of(0x11, 0x22, 0x33, 0x44));
  const cut = 1448;
  f0.set([0x81, 0xfe, 0x0f, 0xa0], cut); // masked payload bytes: any value may occur there
  const inv = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('INVITE', 'one')), mask: true }, Uint8Array.of(1, 2, 3, 4));
  const bye = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('BYE', 'two')), mask: true }, Uint8Array.of(5, 6, 7, 8));
  const d = new SipFlowDemux();
  const out: string[] = [];
  for (const c of [f0.subarray(cut, 2 * cut), f0.subarray(2 * cut), inv, bye]) out.push(...d.push('k', c, 0, c.length).map((r) => (r.message ? `${r.message.method} ${r.message.callId}` : `${r.errors[0]?.reason}`)));
  expect([d.kindOf('k'), out.filter((s) => s !== 'undefined')]).toEqual(['websocket', ['INVITE one', 'BYE two']]);
});
