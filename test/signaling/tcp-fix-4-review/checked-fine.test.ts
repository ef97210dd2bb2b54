/** Checks of 7ff7a73 (src/signaling/sip-flows.ts frameChains looksLikeSip, tailEnd, insideCarried) that came out fine. */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { sipMsg } from '../tcp-reassembly-review/lab.js';
import { wsFrame } from '../transport-review/transport-harness.js';

const L = (s: string) => Buffer.from(s, 'latin1');
function read(chunks: Uint8Array[]): string {
  const d = new SipFlowDemux();
  const out: string[] = [];
  for (const c of chunks) out.push(...d.push('k', c, 0, c.length).map((r) => (r.message ? `${r.message.method} ${r.message.callId}` : `${r.errors[0]?.reason}`)));
  return `${d.kindOf('k')} ${out.join(',')}`;
}

it('server (unmasked) frames joined after the handshake: a text frame, then a message in two fragments (0x01, then continuation 0x80), all in one segment: WebSocket, both read', () => {
  const inv = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('INVITE', 'one')), mask: false });
  const bye = L(sipMsg('BYE', 'two'));
  const f1 = wsFrame({ fin: false, opcode: 1, payload: bye.subarray(0, 40), mask: false });
  const f2 = wsFrame({ fin: true, opcode: 0, payload: bye.subarray(40), mask: false });
  expect(read([Buffer.concat([inv, f1, f2])])).toBe('websocket INVITE one,BYE two');
});

it('an empty Ping then a text frame carrying an INVITE, joined after the handshake: WebSocket (frameChains unchanged when the next frame is a frame)', () => {
  const ping = wsFrame({ fin: true, opcode: 9, payload: new Uint8Array(0), mask: false });
  const inv = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('INVITE', 'one')), mask: false });
  expect(read([Buffer.concat([ping, inv])])).toBe('websocket INVITE one');
});

it('plain SIP joined at a body tail that ends in CRLF before a NOTIFY carrying message/sipfrag: the NOTIFY is read, not its body line', () => {
  const notify = sipMsg('NOTIFY', 'one', 'SIP/2.0 200 OK\r\n', 'Content-Type: message/sipfrag\r\n');
  expect(read([L('a=sendrecv\r\n' + notify), L(sipMsg('BYE', 'two'))])).toBe('sip NOTIFY one,BYE two');
});
