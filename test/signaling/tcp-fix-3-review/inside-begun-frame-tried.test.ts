/**
 * Found by a review of SIP over TCP framing (0f6e73b), fixed since: while a frame carried as begun has not ended (its header not all in, or its end past the new bytes' start), the new bytes are not tried as a frame of their own (src/signaling/sip-flows.ts SipFlowDemux.classify).
 */
/**
 * Input: SIP over WebSocket joined after the handshake (SipFlowDemux.push, one call per segment): a
 *   client's masked text frame carrying an INVITE (16-bit length), cut in three segments: (a) the
 *   header and one mask-key byte, then 5 bytes (3 key bytes, 2 payload bytes); (b) the header and
 *   mask key, then 5 payload bytes; then the rest, then a BYE frame. The keys are ordinary random
 *   ones: in (a) the key's bytes 42 03 52 read as a frame header 0x42 len 3; in (b) key c8 4d … masks
 *   'IN' into 81 03.
 * Was: the second segment's own first byte is tried as a frame (frames(off + carried)) although it
 *   lies inside the carried frame begun, in its mask key or payload; that pseudo-frame ends where
 *   the bytes end, so WebSocket is read from there: the INVITE is lost (bad-websocket-frame, or
 *   nothing).
 * Correct: SPEC §7 SIP over WebSocket; README: "its frames may each span several segments (a frame
 *   begun … is waited for)" — both the INVITE and the BYE are read, as for every other cut.
 * Fix: src/signaling/sip-flows.ts classify(): do not try frames(off + carried) (nor openAt) while
 *   a carried frame begun (carryFrame) has not ended before off + carried (its header not all in,
 *   or frameEnd > off + carried), as the stray octet is not tried inside a begun frame.
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { sipMsg } from '../tcp-reassembly-review/lab.js';
import { wsFrame } from '../transport-review/transport-harness.js';

const L = (s: string) => Buffer.from(s, 'latin1');

function read(chunks: Uint8Array[]): string[] {
  const d = new SipFlowDemux();
  const out: string[] = [];
  for (const c of chunks) out.push(...d.push('k', c, 0, c.length).map((r) => (r.message ? `${r.message.method} ${r.message.callId}` : `${r.errors[0]?.reason}`)));
  return out;
}

it('a masked frame cut inside its mask key / start line: the next segment is not taken as a frame of its own', () => {
  const bye = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('BYE', 'two')), mask: true }, Uint8Array.of(0x11, 0x22, 0x33, 0x44));
  const a = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('INVITE', 'one', 'x'.repeat(400))), mask: true }, Uint8Array.of(0xec, 0x42, 0x03, 0x52));
  const b = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('INVITE', 'one', 'x'.repeat(400))), mask: true }, Uint8Array.of(0xc8, 0x4d, 0x17, 0x9e));
  expect(Array.from(b.subarray(8, 10))).toEqual([0x81, 0x03]);
  expect({
    keyCut: read([a.subarray(0, 5), a.subarray(5, 10), a.subarray(10), bye]),
    payloadCut: read([b.subarray(0, 8), b.subarray(8, 13), b.subarray(13), bye]),
  }).toEqual({ keyCut: ['INVITE one', 'BYE two'], payloadCut: ['INVITE one', 'BYE two'] });
});
