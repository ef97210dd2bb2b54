import { describe, expect, test } from 'vitest';
import { SipFlowDemux } from '../../src/signaling/sip-flows.js';
import { bytesOf, sipText } from './sip-fixtures.js';

const OPTIONS = sipText(['OPTIONS sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: o1', 'CSeq: 1 OPTIONS']);
const BYE = sipText(['BYE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: b1', 'CSeq: 2 BYE']);

function push(d: SipFlowDemux, key: string, text: string | Uint8Array): (string | null)[] {
  const b = typeof text === 'string' ? bytesOf(text) : text;
  return d.push(key, b, 0, b.length).map((r) => r.message?.callId ?? null);
}

function maskedTextFrame(text: string): Uint8Array {
  const payload = bytesOf(text);
  const mask = [0x11, 0x22, 0x33, 0x44];
  const header = payload.length < 126 ? [0x81, 0x80 | payload.length] : [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff];
  return Uint8Array.from([...header, ...mask, ...payload.map((x, i) => x ^ mask[i & 3]!)]);
}

describe('SipFlowDemux', () => {
  test('plain SIP, WebSocket after an Upgrade, and WebSocket frames without a handshake, each on its own direction', () => {
    const d = new SipFlowDemux();
    expect(push(d, 'tcp-a', '\r\n' + OPTIONS)).toEqual(['o1']);
    expect(push(d, 'ws-a', 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: sip\r\n\r\n')).toEqual([]);
    expect(push(d, 'ws-a', maskedTextFrame(BYE))).toEqual(['b1']);
    expect(push(d, 'ws-b', maskedTextFrame(OPTIONS))).toEqual(['o1']);
    expect([d.kindOf('tcp-a'), d.kindOf('ws-a'), d.kindOf('ws-b'), d.kindOf('none')]).toEqual(['sip', 'websocket', 'websocket', null]);
  });

  test('a direction picked up mid-message starts at the next SIP start line', () => {
    const d = new SipFlowDemux();
    const tail = OPTIONS.slice(30);
    expect(push(d, 'k', tail + BYE + OPTIONS.slice(0, 10))).toEqual(['b1']);
    expect(push(d, 'k', OPTIONS.slice(10))).toEqual(['o1']);
  });

  test('a direction without SIP is given up after a few chunks', () => {
    const d = new SipFlowDemux({ maxUndecidedChunks: 2 });
    expect(push(d, 'tls', '\x16\x03\x01\x02\x00')).toEqual([]);
    expect(d.kindOf('tls')).toBe('undecided');
    expect(push(d, 'tls', 'binary\nstuff')).toEqual([]);
    expect(d.kindOf('tls')).toBe('other');
    expect(push(d, 'tls', OPTIONS)).toEqual([]);
    expect(d.stats.notSip).toBe(1);
  });

  test('bounded: the least recently active direction is dropped', () => {
    const d = new SipFlowDemux({ maxFlows: 2 });
    push(d, 'a', OPTIONS.slice(0, 20));
    push(d, 'b', OPTIONS);
    push(d, 'a', OPTIONS.slice(20, 25));
    push(d, 'c', OPTIONS);
    expect([d.kindOf('a'), d.kindOf('b'), d.kindOf('c')]).toEqual(['sip', null, 'sip']);
    expect(d.stats.evicted).toBe(1);
    d.end('a');
    expect(d.kindOf('a')).toBeNull();
  });
});
