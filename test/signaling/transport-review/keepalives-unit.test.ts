/**
 * Unit checks of the fixes for the review of SIP over every transport (see the other files in this
 * folder for the end-to-end differential): SipFlowDemux's undecided budget is in bytes, CR/LF
 * aside, and a direction given up is someone else's traffic (no report, as on UDP); a Ping, Pong or Close that chains opens a
 * WebSocket direction; a WebSocket message of CR/LF only (compressed or not) is a keep-alive.
 */
import { describe, expect, test } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { WebSocketFrameDecoder } from '../../../src/signaling/websocket-frames.js';
import { bytesOf, sipText } from '../sip-fixtures.js';
import { messageDeflater, wsFrame } from './transport-harness.js';

const OPTIONS = sipText(['OPTIONS sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: o1', 'CSeq: 1 OPTIONS']);
const BYE = sipText(['BYE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: b1', 'CSeq: 2 BYE']);

function push(d: SipFlowDemux, key: string, b: Uint8Array | string): (string | null)[] {
  const bytes = typeof b === 'string' ? bytesOf(b) : b;
  return d.push(key, bytes, 0, bytes.length).map((r) => r.message?.callId ?? r.errors[0]?.reason ?? null);
}

describe('SipFlowDemux: the undecided budget', () => {
  test('any number of CRLFCRLF pings and CRLF pongs before the first start line: still SIP', () => {
    const d = new SipFlowDemux({ maxUndecidedBytes: 10 });
    for (let i = 0; i < 1000; i++) expect(push(d, 'k', i % 2 ? '\r\n' : '\r\n\r\n')).toEqual([]);
    expect(d.kindOf('k')).toBe('undecided');
    expect(push(d, 'k', OPTIONS)).toEqual(['o1']);
    expect(d.kindOf('k')).toBe('sip');
  });

  test('a message in 1-byte segments, after pings: read whole however many segments its start line takes', () => {
    const d = new SipFlowDemux();
    const all = '\r\n\r\n'.repeat(20) + OPTIONS + BYE;
    const got: (string | null)[] = [];
    for (let i = 0; i < all.length; i++) got.push(...push(d, 'k', all[i]!));
    expect(got).toEqual(['o1', 'b1']);
  });

  test('picked up mid-message: the rest of a 10 kB message is waited through', () => {
    const d = new SipFlowDemux();
    const big = sipText(['MESSAGE sip:x SIP/2.0', 'Call-ID: big', 'CSeq: 1 MESSAGE'], 'x'.repeat(10_000));
    const tail = big.slice(200);
    for (let at = 0; at < tail.length; at += 1460) expect(push(d, 'k', tail.slice(at, at + 1460))).toEqual([]);
    expect(push(d, 'k', BYE)).toEqual(['b1']);
  });

  test('not SIP: given up past the budget (CR/LF not counted), without a report (someone else\'s traffic), then nothing', () => {
    const d = new SipFlowDemux({ maxUndecidedBytes: 100 });
    const line = 'x'.repeat(49) + '\r\n'; // 49 bytes counted each
    expect(push(d, 'k', line)).toEqual([]);
    expect(push(d, 'k', line)).toEqual([]);
    expect(d.kindOf('k')).toBe('undecided');
    const given = d.push('k', bytesOf(line), 0, line.length);
    expect(given).toEqual([]);
    expect(d.kindOf('k')).toBe('other');
    expect(push(d, 'k', OPTIONS)).toEqual([]);
    expect(d.stats.notSip).toBe(1);
  });

  test('the default budget: 16 KiB without a start line', () => {
    const d = new SipFlowDemux();
    const chunk = bytesOf('y'.repeat(1024) + '\n'); // 1024 counted each, the LF not
    for (let i = 0; i < 16; i++) expect(d.push('k', chunk, 0, chunk.length)).toEqual([]);
    expect(d.kindOf('k')).toBe('undecided');
    expect(push(d, 'k', 'z\n')).toEqual([]);
    expect(d.kindOf('k')).toBe('other');
  });
});

describe('SipFlowDemux: a WebSocket direction opening with control frames', () => {
  for (const [name, opcode, client] of [['Ping', 0x9, false], ['Pong', 0xa, true], ['Close', 0x8, false]] as const)
    test(`a ${name} first, ${client ? 'masked' : 'unmasked'}: WebSocket`, () => {
      const d = new SipFlowDemux();
      expect(push(d, 'k', wsFrame({ fin: true, opcode, payload: bytesOf('kamailio'), mask: client }))).toEqual([]);
      expect(d.kindOf('k')).toBe('websocket');
      if (opcode !== 0x8) expect(push(d, 'k', wsFrame({ fin: true, opcode: 1, payload: bytesOf(BYE), mask: client }))).toEqual(['b1']);
    });

  test('a Ping chained to a text frame in one segment', () => {
    const d = new SipFlowDemux();
    const both = Buffer.concat([wsFrame({ fin: true, opcode: 9, payload: bytesOf('p'), mask: true }), wsFrame({ fin: true, opcode: 1, payload: bytesOf(OPTIONS), mask: true })]);
    expect(push(d, 'k', both)).toEqual(['o1']);
  });

  test('a Ping split over segments: read once its frame is whole', () => {
    const d = new SipFlowDemux();
    const ping = wsFrame({ fin: true, opcode: 9, payload: bytesOf('kamailio'), mask: false });
    expect(push(d, 'k', ping.subarray(0, 3))).toEqual([]);
    expect(d.kindOf('k')).toBe('undecided');
    expect(push(d, 'k', ping.subarray(3))).toEqual([]);
    expect(d.kindOf('k')).toBe('websocket');
  });

  test('a control-frame byte that does not chain, or claims more than 125 bytes, or lacks FIN: not WebSocket', () => {
    const d = new SipFlowDemux();
    push(d, 'a', Uint8Array.of(0x89, 0x02, 0x61, 0x62, 0x63)); // ends one byte past its frame: 0x63 starts none
    push(d, 'b', Uint8Array.of(0x89, 0x7e, 0x00, 0x02, 0x61, 0x62)); // 16-bit length: no control frame
    push(d, 'c', Uint8Array.of(0x09, 0x02, 0x61, 0x62)); // FIN clear
    expect([d.kindOf('a'), d.kindOf('b'), d.kindOf('c')]).toEqual(['undecided', 'undecided', 'undecided']);
  });
});

describe('WebSocketFrameDecoder: CRLF keep-alives', () => {
  const read = (d: WebSocketFrameDecoder, b: Uint8Array) => d.push(b).map((r) => r.message?.callId ?? r.errors[0]?.reason ?? null);

  test('a text or binary message of CR/LF only (whole or fragmented) is dropped unread; an empty one is still reported', () => {
    const d = new WebSocketFrameDecoder();
    expect(read(d, wsFrame({ fin: true, opcode: 1, payload: bytesOf('\r\n\r\n'), mask: true }))).toEqual([]);
    expect(read(d, wsFrame({ fin: true, opcode: 2, payload: bytesOf('\r\n'), mask: false }))).toEqual([]);
    expect(read(d, Buffer.concat([wsFrame({ fin: false, opcode: 1, payload: bytesOf('\r\n'), mask: true }), wsFrame({ fin: true, opcode: 0, payload: bytesOf('\r\n'), mask: true })]))).toEqual([]);
    expect(read(d, wsFrame({ fin: true, opcode: 1, payload: bytesOf(BYE), mask: true }))).toEqual(['b1']);
    expect(read(d, wsFrame({ fin: true, opcode: 1, payload: new Uint8Array(0), mask: true }))).toEqual(['empty-message']);
    expect(read(d, wsFrame({ fin: true, opcode: 1, payload: bytesOf('\r\nx'), mask: true }))).not.toEqual([]);
  });

  test('a compressed keep-alive is inflated (the window goes on through it) and dropped', async () => {
    const deflate = messageDeflater(true);
    const d = new WebSocketFrameDecoder();
    d.push(bytesOf('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'));
    expect(read(d, wsFrame({ fin: true, rsv1: true, opcode: 1, payload: await deflate(bytesOf(OPTIONS)), mask: false }))).toEqual(['o1']);
    expect(read(d, wsFrame({ fin: true, rsv1: true, opcode: 1, payload: await deflate(bytesOf('\r\n\r\n')), mask: false }))).toEqual([]);
    expect(read(d, wsFrame({ fin: true, rsv1: true, opcode: 1, payload: await deflate(bytesOf(OPTIONS)), mask: false }))).toEqual(['o1']);
  });
});
