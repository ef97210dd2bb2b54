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

  test('a direction without SIP is given up after a few bytes (CR/LF aside): someone else\'s traffic, not malformed', () => {
    const d = new SipFlowDemux({ maxUndecidedBytes: 12 });
    expect(push(d, 'bin', '\x00\x07\x01\x02\x00')).toEqual([]);
    expect(d.kindOf('bin')).toBe('undecided');
    const given = d.push('bin', bytesOf('binary\nstuff'), 0, 12);
    expect(given).toEqual([]);
    expect(d.kindOf('bin')).toBe('other');
    expect(push(d, 'bin', OPTIONS)).toEqual([]);
    expect(d.stats.notSip).toBe(1);
  });

  test('a direction that opens with a TLS record header is given up at once', () => {
    const d = new SipFlowDemux();
    expect(push(d, 'tls', '\x16\x03\x01\x02\x00')).toEqual([]);
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
    d.end('a', 'FIN');
    expect(d.kindOf('a')).toBeNull();
  });
});

describe('SipFlowDemux.end: a direction whose connection ended', () => {
  test('a message cut off is reported once, with its bytes and cause, and never joined to the next stream', () => {
    const d = new SipFlowDemux();
    expect(push(d, 'k', OPTIONS + BYE.slice(0, 40))).toEqual(['o1']);
    const cut = d.end('k', 'RST');
    expect(cut).toEqual({ message: null, errors: [{ reason: 'no-header-end', offset: OPTIONS.length, detail: '40 bytes of a message cut by RST, dropped' }] });
    expect(d.kindOf('k')).toBeNull();
    // the same key again is a new stream: the next message stands alone
    expect(push(d, 'k', OPTIONS)).toEqual(['o1']);
    expect(d.end('k', 'FIN')).toBeNull();
  });

  test('a message cut in its body', () => {
    const d = new SipFlowDemux();
    const msg = sipText(['MESSAGE sip:x SIP/2.0', 'Call-ID: m1', 'CSeq: 1 MESSAGE'], 'hello');
    push(d, 'k', msg.slice(0, -2));
    expect(d.end('k', 'FIN')?.errors[0]).toMatchObject({ reason: 'body-truncated', offset: 0 });
  });

  test('nothing to report: an unknown key, an undecided direction, a WebSocket closed or between messages', () => {
    const d = new SipFlowDemux();
    expect(d.end('none', 'RST')).toBeNull();
    push(d, 'u', 'hello');
    expect(d.end('u', 'RST')).toBeNull();
    push(d, 'ws', maskedTextFrame(BYE));
    expect(d.end('ws', 'RST')).toBeNull();
    push(d, 'ws', maskedTextFrame(BYE));
    push(d, 'ws', Uint8Array.of(0x88, 0x80, 1, 2, 3, 4));
    push(d, 'ws', maskedTextFrame(BYE).subarray(0, 20));
    expect(d.end('ws', 'RST')).toBeNull();
  });

  test('WebSocket: a frame cut off is reported, and the next connection upgrades afresh', () => {
    const d = new SipFlowDemux();
    const upgrade = 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
    push(d, 'ws', upgrade);
    expect(push(d, 'ws', maskedTextFrame(BYE).subarray(0, 30))).toEqual([]);
    expect(d.end('ws', 'RST')).toEqual({ message: null, errors: [{ reason: 'bad-websocket-frame', offset: upgrade.length, detail: '30 bytes of a message cut by RST, dropped' }] });
    push(d, 'ws', upgrade);
    expect(push(d, 'ws', maskedTextFrame(OPTIONS))).toEqual(['o1']);
  });
});
