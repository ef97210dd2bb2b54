import { describe, expect, test } from 'vitest';
import { looksLikeSip } from '../../src/signaling/looks-like-sip.js';
import { SipStreamFramer } from '../../src/signaling/sip-stream.js';
import { WebSocketFrameDecoder } from '../../src/signaling/websocket-frames.js';
import { bytesOf, sipText } from './sip-fixtures.js';

const OPTIONS = sipText(['OPTIONS sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: o1', 'CSeq: 1 OPTIONS']);
const WITH_BODY = sipText(['MESSAGE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: m1', 'CSeq: 2 MESSAGE', 'Content-Type: text/plain'], 'héllo');
const RESPONSE = sipText(['SIP/2.0 200 OK', 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>;tag=2', 'Call-ID: o1', 'CSeq: 1 OPTIONS']);

describe('looksLikeSip', () => {
  const cases: Array<[string, boolean]> = [
    ['INVITE sip:bob@example.com SIP/2.0\r\n', true],
    ['ACK sip:1@10.0.0.1:5060;transport=tcp SIP/2.0\r\nVia: x', true],
    ['SIP/2.0 200 OK\r\n', true],
    ['SIP/2.0 100 Trying', true],
    ['\r\nBYE sip:x SIP/2.0\r\n', true],
    ['FOO sip:x SIP/2.0', true],
    ['SIP/2.0 20 OK\r\n', false],
    ['SIP/2.0200 OK', false],
    ['GET / HTTP/1.1\r\n', false],
    ['INVITE sip:x SIP/3.0\r\n', false],
    ['INVITE  sip:x SIP/2.0\r\n', false],
    ['INVITE sip:x SIP/2.0x\r\n', false],
    ['INVITE sip:x', false],
    ['\x80\x00\x12\x34', false],
    ['', false],
  ];
  test.each(cases)('%j → %s', (text, expected) => {
    const b = bytesOf(text);
    expect(looksLikeSip(b, 0, b.length)).toBe(expected);
  });

  test('respects off and len', () => {
    const b = bytesOf('xxSIP/2.0 200 OK\r\nyy');
    expect(looksLikeSip(b, 2, b.length - 2)).toBe(true);
    expect(looksLikeSip(b, 0, b.length)).toBe(false);
    expect(looksLikeSip(b, 2, 9)).toBe(false);
  });
});

describe('SipStreamFramer', () => {
  test('several messages in one push, with CRLF keepalives between them', () => {
    const framer = new SipStreamFramer();
    const out = framer.push(bytesOf('\r\n\r\n' + OPTIONS + '\r\n' + WITH_BODY + RESPONSE));
    expect(out.map((r) => r.message?.callId)).toEqual(['o1', 'm1', 'o1']);
    expect(new TextDecoder().decode(out[1]!.message!.body)).toBe('héllo');
    expect(framer.pendingBytes).toBe(0);
  });

  test('a message split at every possible point comes out whole, once', () => {
    const all = bytesOf(WITH_BODY + OPTIONS);
    for (let cut = 1; cut < all.length; cut++) {
      const framer = new SipStreamFramer();
      const out = [...framer.push(all.slice(0, cut)), ...framer.push(all.slice(cut))];
      expect(out.map((r) => r.message?.callId)).toEqual(['m1', 'o1']);
    }
  });

  test('byte-by-byte delivery', () => {
    const framer = new SipStreamFramer();
    const all = bytesOf(RESPONSE + WITH_BODY);
    const out = [];
    for (const byte of all) out.push(...framer.push(Uint8Array.of(byte)));
    expect(out.map((r) => r.message?.status || r.message?.method)).toEqual([200, 'MESSAGE']);
  });

  test('the framer copies what it keeps: reusing the pushed buffer changes nothing', () => {
    const framer = new SipStreamFramer();
    const all = bytesOf(OPTIONS);
    const chunk = all.slice(0, 20);
    framer.push(chunk);
    chunk.fill(0x41);
    const out = framer.push(all.slice(20));
    expect(out[0]!.message!.callId).toBe('o1');
  });

  test('garbage before a message is skipped and reported once', () => {
    const framer = new SipStreamFramer();
    const out = framer.push(bytesOf('junk line one\r\njunk two\r\n' + OPTIONS));
    expect(out[0]!.message).toBeNull();
    expect(out[0]!.errors[0]).toMatchObject({ reason: 'garbage-skipped', offset: 0, detail: '25' });
    expect(out[1]!.message!.callId).toBe('o1');
  });

  test('missing Content-Length on a stream is reported and taken as 0', () => {
    const framer = new SipStreamFramer();
    const noLength = 'OPTIONS sip:x SIP/2.0\r\nFrom: <sip:a@x>;tag=1\r\nCall-ID: n\r\nCSeq: 1 OPTIONS\r\n\r\n';
    const out = framer.push(bytesOf(noLength + OPTIONS));
    expect(out.map((r) => r.errors.map((e) => e.reason))).toEqual([['missing-content-length'], [], []]);
    expect(out[2]!.message!.callId).toBe('o1');
  });

  test('an oversized message is dropped and the stream resynchronises', () => {
    const framer = new SipStreamFramer({ maxMessageBytes: 200 });
    const big = sipText(['MESSAGE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: big', 'CSeq: 1 MESSAGE'], 'x'.repeat(300));
    const out = framer.push(bytesOf(big + OPTIONS));
    expect(out[0]!.errors[0]!.reason).toBe('oversized-message');
    expect(out.some((r) => r.message?.callId === 'o1')).toBe(true);
    expect(out.some((r) => r.message?.callId === 'big')).toBe(false);
  });

  test('an oversized message split across pushes is skipped to its end', () => {
    const framer = new SipStreamFramer({ maxMessageBytes: 200 });
    const big = bytesOf(sipText(['MESSAGE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: big', 'CSeq: 1 MESSAGE'], 'x'.repeat(300)));
    const first = framer.push(big.slice(0, 150));
    const second = framer.push(big.slice(150, 300));
    const third = framer.push(Uint8Array.from([...big.slice(300), ...bytesOf(OPTIONS)]));
    expect(first.map((r) => r.errors[0]?.reason)).toEqual(['oversized-message']);
    expect(second).toEqual([]);
    expect(third.map((r) => r.message?.callId)).toEqual(['o1']);
  });
});

/** A WebSocket frame as a browser (masked) or server (unmasked) would send it. */
function wsFrame(payload: Uint8Array, opts: { opcode?: number; fin?: boolean; mask?: number[] } = {}): Uint8Array {
  const { opcode = 1, fin = true, mask } = opts;
  const len = payload.length;
  const header: number[] = [(fin ? 0x80 : 0) | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (len < 126) header.push(maskBit | len);
  else if (len < 65536) header.push(maskBit | 126, len >> 8, len & 0xff);
  else header.push(maskBit | 127, 0, 0, 0, 0, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff);
  if (mask) header.push(...mask);
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  for (let i = 0; i < len; i++) out[header.length + i] = mask ? payload[i]! ^ mask[i & 3]! : payload[i]!;
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('WebSocketFrameDecoder (RFC 7118)', () => {
  const upgrade = bytesOf('GET / HTTP/1.1\r\nHost: sip.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n');
  const accept = bytesOf('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: sip\r\n\r\n');

  test('client side: handshake stripped, masked text frames decoded', () => {
    const d = new WebSocketFrameDecoder();
    const out = d.push(concat(upgrade, wsFrame(bytesOf(OPTIONS), { mask: [1, 2, 3, 4] }), wsFrame(bytesOf(WITH_BODY), { mask: [9, 8, 7, 6], opcode: 2 })));
    expect(out.map((r) => r.message?.callId)).toEqual(['o1', 'm1']);
  });

  test('server side: unmasked frames after the 101 response, fragmented message with a ping in between', () => {
    const d = new WebSocketFrameDecoder();
    const text = bytesOf(RESPONSE);
    const out = d.push(
      concat(
        accept,
        wsFrame(text.slice(0, 10), { fin: false }),
        wsFrame(new Uint8Array(0), { opcode: 9 }),
        wsFrame(text.slice(10, 40), { fin: false, opcode: 0 }),
        wsFrame(text.slice(40), { opcode: 0 }),
      ),
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.message!.status).toBe(200);
  });

  test('frames split across pushes, 16-bit length', () => {
    const d = new WebSocketFrameDecoder();
    const big = sipText(['MESSAGE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: big', 'CSeq: 1 MESSAGE'], 'y'.repeat(400));
    const all = concat(upgrade, wsFrame(bytesOf(big), { mask: [5, 5, 5, 5] }));
    const out = [];
    for (let i = 0; i < all.length; i += 37) out.push(...d.push(all.slice(i, i + 37)));
    expect(out.map((r) => r.message?.callId)).toEqual(['big']);
  });

  test('a capture that starts after the handshake', () => {
    const d = new WebSocketFrameDecoder();
    expect(d.push(wsFrame(bytesOf(OPTIONS))).map((r) => r.message?.callId)).toEqual(['o1']);
  });

  test('continuation without a message and reserved opcodes are reported', () => {
    const d = new WebSocketFrameDecoder();
    const out = d.push(concat(accept, wsFrame(bytesOf('x'), { opcode: 0 }), wsFrame(bytesOf('x'), { opcode: 3 }), wsFrame(bytesOf(OPTIONS))));
    expect(out.map((r) => r.errors[0]?.reason ?? r.message?.callId)).toEqual(['bad-websocket-frame', 'bad-websocket-frame', 'o1']);
  });

  test('close frame ends the stream; oversized frame is refused', () => {
    const d = new WebSocketFrameDecoder();
    expect(d.push(concat(accept, wsFrame(new Uint8Array(0), { opcode: 8 }), wsFrame(bytesOf(OPTIONS))))).toEqual([]);
    const small = new WebSocketFrameDecoder({ maxMessageBytes: 50 });
    expect(small.push(concat(accept, wsFrame(bytesOf(OPTIONS))))[0]!.errors[0]!.reason).toBe('oversized-message');
  });
});
