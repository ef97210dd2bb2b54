/**
 * Checks of 0f6e73b (src/signaling/sip-flows.ts classify: carry buffer, remembered offsets) that
 * came out fine.
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { sipMsg } from '../tcp-reassembly-review/lab.js';
import { wsFrame } from '../transport-review/transport-harness.js';

const L = (s: string) => Buffer.from(s, 'latin1');
const said = (rs: ReturnType<SipFlowDemux['push']>) => rs.map((r) => (r.message ? `${r.message.method} ${r.message.callId}` : `${r.errors[0]?.reason}`));

it('remembered "websocket" does not outlive the direction: end() then a new plain connection whose body after an empty line opens like a frame is SIP', () => {
  const d = new SipFlowDemux();
  const hdr = 'Upgrade: websocket\r\nConnection: Upg';
  d.push('k', L(hdr), 0, hdr.length);
  expect(d.kindOf('k')).toBe('undecided');
  d.end('k', 'a new SYN');
  // a plain message's tail: header lines, an empty line, a binary body starting 0x81 (ISUP-like), then an INVITE
  const tail = Buffer.concat([L('Content-Type: application/isup\r\n\r\n'), Uint8Array.of(0x81, 0x02, 0x00, 0x01)]);
  const out = [...said(d.push('k', tail, 0, tail.length)), ...said(d.push('k', L(sipMsg('INVITE', 'one')), 0, sipMsg('INVITE', 'one').length))];
  expect([d.kindOf('k'), out]).toEqual(['sip', ['INVITE one']]);
});

it('a gap while undecided drops the carried line and its offsets: the bytes after it are read afresh', () => {
  const d = new SipFlowDemux();
  const a = 'Via: SIP/2.0/TCP h\r\nX-Upgrade: websocket\r\nINVI';
  d.push('k', L(a), 0, a.length);
  d.gap('k', 'lost');
  const inv = sipMsg('INVITE', 'one');
  const out = said(d.push('k', L(inv.slice(0, 3)), 0, 3)).concat(said(d.push('k', L(inv.slice(3)), 0, inv.length - 3)));
  expect([d.kindOf('k'), out]).toEqual(['sip', ['INVITE one']]);
});

it('a start line sent byte by byte after many carried lines (carryLine/carryLineLong kept right): read', () => {
  const d = new SipFlowDemux();
  const pre = 'x'.repeat(3000) + '\r\nbody line\r\n';
  const text = pre + sipMsg('INVITE', 'one') + sipMsg('BYE', 'two');
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) out.push(...said(d.push('k', L(text[i]!), 0, 1)));
  expect(out).toEqual(['INVITE one', 'BYE two']);
});

it('a masked frame (INVITE, 16-bit length) cut in two at every byte position, joined mid-connection: read whole, the next frame too', () => {
  const f = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('INVITE', 'one', 'x'.repeat(300))), mask: true }, Uint8Array.of(0x9b, 0x07, 0xe2, 0x5c));
  const bye = wsFrame({ fin: true, opcode: 1, payload: L(sipMsg('BYE', 'two')), mask: true }, Uint8Array.of(0x11, 0x22, 0x33, 0x44));
  const wrong: number[] = [];
  for (let cut = 1; cut < f.length; cut++) {
    const d = new SipFlowDemux();
    const out = [...said(d.push('k', f, 0, cut)), ...said(d.push('k', f, cut, f.length - cut)), ...said(d.push('k', bye, 0, bye.length))];
    if (JSON.stringify(out) !== '["INVITE one","BYE two"]') wrong.push(cut);
  }
  expect(wrong).toEqual([]);
});
