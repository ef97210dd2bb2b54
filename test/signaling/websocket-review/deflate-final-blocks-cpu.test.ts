/**
 * Found by a review of SIP over WebSocket, fixed since: a compressed message of more than MAX_STREAMS_PER_MESSAGE DEFLATE streams is reported (bad-websocket-frame) after that many inflate calls, its window let go (websocket-deflate.ts MessageInflater.inflate).
 */
/**
 * permessage-deflate: the work spent on one compressed message is not bounded — a message made of
 * many tiny DEFLATE streams (each a block with BFINAL set) costs ~200 µs of main-thread CPU per
 * 3 input bytes.
 *
 * Input: SIP over WebSocket with permessage-deflate agreed in the handshake (RFC 7692); one client
 *   text message (RSV1, masked) whose payload is 64 KiB of the 3-byte DEFLATE stream `4b 04 00`
 *   (one fixed-Huffman block, BFINAL set, holding the literal "a") repeated ~21 800 times. A
 *   compressed size well inside the 256 KiB frame limit; it inflates to 21 800 bytes, well inside
 *   the 256 KiB inflate limit.
 * Was: MessageInflater.inflate() (src/signaling/websocket-deflate.ts) reads "data past a final
 *   block" by calling inflateRawSync again on the rest, once per final block, each call with the
 *   direction's window (up to 32 KiB) as dictionary, and keep() copies the window after each: the
 *   message takes seconds (here ~2 s for 64 KiB; 16 KiB ~1 s, 128 KiB ~6.6 s, a 256 KiB frame of
 *   1-byte streams ~20 s) on the thread that reads all SIP and decides all telemetry, against ~1 ms
 *   for an ordinary 256 KiB message. Any WebSocket client of the monitored server can stall the
 *   enforcer (live: its queues overflow and packets are dropped) with a few KiB/s: the inflate
 *   limit bounds the output, not the work.
 * Correct: the brief asks whether a decompression bomb is bounded; README bounds only the output
 *   ("one that inflates past 256 KiB is oversized"). The work of reading one message must be
 *   bounded too, comparable to ordinary inflation of its size: RFC 7692 §7.2.3.4 lets a sender end
 *   (flush) a message with a DEFLATE block whose BFINAL is set — one such block per message, not
 *   thousands. A message of many DEFLATE streams should be read in one pass, or refused (reported,
 *   the window let go) past a small count of streams.
 * Fix: src/signaling/websocket-deflate.ts MessageInflater.inflate(): cap the number of DEFLATE
 *   streams in one message (e.g. past 16, report "not inflated: too many final blocks" and lose()
 *   the window), or inflate with one streaming inflater (zlib.createInflateRaw / reset with the
 *   dictionary only when a stream ends, no per-stream window copy).
 */
import zlib from 'node:zlib';
import { describe, expect, test, vi } from 'vitest';
import { MAX_STREAMS_PER_MESSAGE, MessageInflater } from '../../../src/signaling/websocket-deflate.js';
import { WebSocketConnection, WebSocketFrameDecoder } from '../../../src/signaling/websocket-frames.js';
import { bytesOf } from '../sip-fixtures.js';
import { upgrade, wsFrame } from '../transport-review/transport-harness.js';

// the work is counted, not timed (speed is measured in benchmarks): each DEFLATE stream costs one inflateRawSync given the window
const inflateCalls = vi.hoisted(() => ({ n: 0 }));
vi.mock('node:zlib', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:zlib')>();
  const inflateRawSync = ((...args: Parameters<typeof real.inflateRawSync>) => {
    inflateCalls.n++;
    return real.inflateRawSync(...args);
  }) as typeof real.inflateRawSync;
  return { ...real, default: { ...real, inflateRawSync }, inflateRawSync };
});

const ONE = Uint8Array.of(0x4b, 0x04, 0x00); // zlib.deflateRawSync('a'): one fixed-Huffman block, BFINAL set

function streams(n: number): Uint8Array {
  const payload = new Uint8Array(n * ONE.length);
  for (let i = 0; i < n; i++) payload.set(ONE, i * ONE.length);
  return payload;
}

describe('a compressed message of many tiny final blocks', () => {
  test('64 KiB of 3-byte DEFLATE streams: a bounded number of inflate calls, the message reported, not read', () => {
    const connection = new WebSocketConnection();
    const client = new WebSocketFrameDecoder({ maxMessageBytes: 256 * 1024 }, connection);
    const server = new WebSocketFrameDecoder({ maxMessageBytes: 256 * 1024 }, connection);
    const hs = upgrade('permessage-deflate');
    client.push(bytesOf(hs.request));
    server.push(bytesOf(hs.response));
    const frame = wsFrame({ fin: true, rsv1: true, opcode: 1, payload: streams(Math.floor((64 * 1024) / ONE.length)), mask: true });
    inflateCalls.n = 0;
    const out = client.push(frame);
    expect(inflateCalls.n).toBeGreaterThan(0);
    expect(inflateCalls.n).toBeLessThanOrEqual(MAX_STREAMS_PER_MESSAGE);
    expect(out.map((r) => [r.message, r.errors.map((e) => `${e.reason}: ${e.detail}`)])).toEqual([[null, [`bad-websocket-frame: not inflated: more than ${MAX_STREAMS_PER_MESSAGE} DEFLATE streams in one message`]]]);
  });

  test('up to the bound, a message of several final blocks inflates (the empty block put back after the last is no stream of the sender\'s)', () => {
    expect(zlib.deflateRawSync(Buffer.from('a'))).toEqual(Buffer.from(ONE));
    const inflater = new MessageInflater();
    const fits = inflater.inflate(streams(MAX_STREAMS_PER_MESSAGE), 4096);
    expect(fits.error).toBeNull();
    expect(Buffer.from(fits.bytes!).toString()).toBe('a'.repeat(MAX_STREAMS_PER_MESSAGE));
    inflateCalls.n = 0;
    const over = inflater.inflate(streams(MAX_STREAMS_PER_MESSAGE + 1), 4096);
    expect(over.error).toBe(`not inflated: more than ${MAX_STREAMS_PER_MESSAGE} DEFLATE streams in one message`);
    expect(inflateCalls.n).toBe(MAX_STREAMS_PER_MESSAGE);
  });
});
