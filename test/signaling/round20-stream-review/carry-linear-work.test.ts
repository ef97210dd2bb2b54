/**
 * Found by a review of SIP over TCP / WebSocket stream handling (round 20), fixed since: the bytes
 * of a message not complete yet are held in the framer's own buffer, grown by doubling, from a
 * read offset, and the search for the first line's end, the header section's end (an HTTP
 * handshake's too) and a chunked body's line resumes where it stopped (sip-stream.ts
 * SipStreamFramer.push/append/keep; websocket-frames.ts WebSocketFrameDecoder.push/append/keep,
 * readHttp, chunkedBody).
 * Input: one-byte segments: 256 KiB of a SIP header section that never ends; a 200 KB WebSocket
 *   frame (capture begun after the handshake); 200 KB of an Upgrade request's header section;
 *   200 KB of a chunked body's size line (the handshake's 401, the line never ends).
 * Was: each push copied every held byte (twice for SIP) and searched them again from the start:
 *   work quadratic in the held bytes (256 KiB in one-byte segments: 32 s).
 * Correct: work linear in the bytes received. Counted here, not timed: the bytes Uint8Array
 *   methods copy (set, slice, copyWithin) and search (indexOf), at most a few per byte received.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SipStreamFramer } from '../../../src/signaling/sip-stream.js';
import { WebSocketFrameDecoder } from '../../../src/signaling/websocket-frames.js';

const proto = Uint8Array.prototype;
const saved = { set: proto.set, slice: proto.slice, copyWithin: proto.copyWithin, indexOf: proto.indexOf };
let work = 0;

beforeEach(() => {
  work = 0;
  proto.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number) {
    work += src.length;
    return saved.set.call(this, src, offset);
  };
  proto.slice = function (this: Uint8Array, start?: number, end?: number) {
    const out = saved.slice.call(this, start, end);
    work += out.length;
    return out;
  };
  proto.copyWithin = function (this: Uint8Array, target: number, start: number, end?: number) {
    work += (end ?? this.length) - start;
    return saved.copyWithin.call(this, target, start, end);
  };
  proto.indexOf = function (this: Uint8Array, value: number, from?: number) {
    const at = saved.indexOf.call(this, value, from);
    work += (at < 0 ? this.length : at + 1) - (from ?? 0);
    return at;
  };
});
afterEach(() => Object.assign(proto, saved));

const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

/** Feeds `bytes` one byte a segment; returns the work counted per byte. */
function perByte(bytes: Uint8Array, push: (chunk: Uint8Array) => void): number {
  // each segment a Uint8Array of its own (not a Buffer: Buffer has its own indexOf and slice)
  const segments = Array.from({ length: bytes.length }, (_, i) => new Uint8Array(bytes.buffer, bytes.byteOffset + i, 1));
  work = 0;
  for (const s of segments) push(s);
  return work / bytes.length;
}

it('SIP: an unfinished header section of 256 KiB, one byte a segment', () => {
  const framer = new SipStreamFramer();
  const head = 'INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-1\r\n';
  const bytes = latin1((head + 'X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(5000)).slice(0, 256 * 1024));
  const reasons: string[] = [];
  expect(perByte(bytes, (c) => framer.push(c).forEach((r) => reasons.push(r.message ? 'message' : r.errors[0]!.reason)))).toBeLessThan(20);
  expect(reasons).toEqual([]);
  expect(framer.pendingBytes).toBe(bytes.length);
});

it('SIP: a 200 KB message, one byte a segment, then read whole', () => {
  const framer = new SipStreamFramer();
  const body = 'a'.repeat(200_000);
  const bytes = latin1(`MESSAGE sip:bob@b SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  let read = 0;
  expect(perByte(bytes, (c) => (read += framer.push(c).filter((r) => r.message !== null).length))).toBeLessThan(20);
  expect(read).toBe(1);
});

it('WebSocket: a 200 KB frame after the handshake, one byte a segment', () => {
  const decoder = new WebSocketFrameDecoder();
  const payload = latin1(`MESSAGE sip:bob@b SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\nContent-Length: 200000\r\n\r\n${'a'.repeat(200_000)}`);
  const frame = new Uint8Array(10 + payload.length);
  frame.set([0x81, 127, 0, 0, 0, 0, (payload.length >>> 24) & 0xff, (payload.length >>> 16) & 0xff, (payload.length >>> 8) & 0xff, payload.length & 0xff]);
  frame.set(payload, 10);
  let read = 0;
  expect(perByte(frame, (c) => (read += decoder.push(c).filter((r) => r.message !== null).length))).toBeLessThan(20);
  expect(read).toBe(1);
});

it('WebSocket: 200 KB of an Upgrade request header section, one byte a segment', () => {
  const decoder = new WebSocketFrameDecoder();
  const bytes = latin1('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n' + 'X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(3600));
  expect(perByte(bytes, (c) => decoder.push(c))).toBeLessThan(20);
});

it('WebSocket: a chunked body size line of 200 KB, one byte a segment', () => {
  const decoder = new WebSocketFrameDecoder();
  const head = latin1('HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n');
  decoder.push(head);
  const bytes = latin1('0'.repeat(200_000));
  expect(perByte(bytes, (c) => decoder.push(c))).toBeLessThan(20);
});
