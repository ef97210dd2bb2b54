/**
 * permessage-deflate (RFC 7692) in the WebSocket framer: the handshake's extension header, the
 * inflater's window across messages, and the frames a conforming peer never sends. The
 * compressed payloads come from zlib's own streaming raw deflater flushed per message, the tail
 * 00 00 ff ff cut (§7.2.1), as a sender makes them; test/wire/ws-deflate.test.ts replays what a
 * real WebSocket stack (the `ws` library) put on the wire.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { frame, Sender } from './deflate-fixtures.js';
import { SipFlowDemux } from '../../src/signaling/sip-flows.js';
import { MessageInflater, namesPermessageDeflate } from '../../src/signaling/websocket-deflate.js';
import { WebSocketFrameDecoder } from '../../src/signaling/websocket-frames.js';
import { bytesOf, sipText } from './sip-fixtures.js';

const RESPONSE = (extensions: string) =>
  bytesOf(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n${extensions}\r\n`);

const message = (callId: string) => sipText(['OPTIONS sip:bob@example.com SIP/2.0', 'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf', 'From: <sip:alice@example.com>;tag=1', `Call-ID: ${callId}`, 'CSeq: 1 OPTIONS']);

function read(d: WebSocketFrameDecoder, bytes: Uint8Array): string[] {
  return d.push(bytes).map((r) => r.message?.callId ?? `${r.errors[0]!.reason}: ${r.errors[0]!.detail}`);
}

describe('namesPermessageDeflate: the Sec-WebSocket-Extensions header of an Upgrade', () => {
  test.each([
    ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n', true],
    ['sec-websocket-extensions:x-webkit-deflate-frame, PerMessage-Deflate\r\n', true],
    ['Sec-WebSocket-Extensions: foo\r\nSec-WebSocket-Extensions: permessage-deflate\r\n', true],
    ['Sec-WebSocket-Extensions: permessage-deflate-2; x=permessage-deflate\r\n', false],
    ['X-Note: permessage-deflate\r\n', false],
    ['', false],
  ])('%j: %s', (header, named) => {
    const b = RESPONSE(header);
    expect(namesPermessageDeflate(b, b.length)).toBe(named);
  });
});

describe('MessageInflater: the window a streaming inflater would hold', () => {
  test('a message referring back 30 KiB, into the messages before the last (more than 32 KiB inflated so far)', async () => {
    const sender = new Sender();
    const inflater = new MessageInflater();
    const noise = randomBytes(30 * 1024).toString('base64'); // 40 KiB of text that does not compress
    const first = bytesOf(noise.slice(0, 20_000));
    const second = bytesOf(noise.slice(20_000));
    const third = bytesOf(noise.slice(10_000, 11_000)); // 1000 bytes that stand ~31 KiB back, inside the first message
    for (const m of [first, second, third]) {
      const got = inflater.inflate(await sender.compress(m), 64 * 1024);
      expect(got.error).toBeNull();
      expect(Buffer.from(got.bytes!).equals(Buffer.from(m))).toBe(true);
    }
  });

  test('a message that fails is reported, and so is the next one referring back into it, while one that does not refer back inflates', async () => {
    const sender = new Sender();
    const inflater = new MessageInflater();
    await sender.compress(bytesOf(message('a-1'))); // never reaches the inflater
    const b = await sender.compress(bytesOf(message('a-2'))); // refers back into a-1
    expect(inflater.inflate(Uint8Array.of(0xff, 0xff, 0xff), 4096).error).toMatch(/^not inflated: .+$/);
    expect(inflater.inflate(b, 4096).error).toBe('not inflated: invalid distance too far back (an earlier message was not read)');
    const fresh = new Sender();
    const c = inflater.inflate(await fresh.compress(bytesOf(message('a-3'))), 4096);
    expect(Buffer.from(c.bytes!).toString()).toBe(message('a-3'));
  });

  test('past its limit: too large, not inflated', async () => {
    const got = new MessageInflater().inflate(await new Sender().compress(new Uint8Array(100_000)), 1000);
    expect(got).toEqual({ bytes: null, error: 'a compressed message inflates past 1000 bytes', tooLarge: true });
  });
});

describe('the windows of every direction together are bounded', () => {
  test('past the budget the least recently used direction lets its window go: its next message referring back is reported, the others inflate', async () => {
    const demux = new SipFlowDemux({ maxWindowBytes: 64 * 1024 });
    const opening = RESPONSE('Sec-WebSocket-Extensions: permessage-deflate\r\n');
    const senders = [new Sender(), new Sender(), new Sender()];
    const filler = randomBytes(24 * 1024).toString('base64'); // 32 KiB that does not compress
    const push = (k: number, b: Uint8Array) => demux.push(`k${k}`, b, 0, b.length).map((r) => r.message?.callId ?? r.errors[0]!.detail);
    for (const k of [0, 1, 2]) {
      push(k, opening);
      // a whole window each (not SIP: read as a bad start line, but inflated)
      expect(push(k, frame(await senders[k]!.compress(bytesOf(filler)), { rsv1: true }))).toHaveLength(1);
    }
    // three windows of 32 KiB in a budget of 64: the first direction's went
    // a message that repeats 200 bytes of the window
    const referring = (id: string) => message(id).replace('\r\n', `\r\nX-Filler: ${filler.slice(-300, -100)}\r\n`);
    const again = async (k: number) => push(k, frame(await senders[k]!.compress(bytesOf(referring(`again-${k}`))), { rsv1: true }));
    expect(await again(2)).toEqual(['again-2']);
    expect(await again(1)).toEqual(['again-1']);
    expect((await again(0))[0]).toBe('not inflated: invalid distance too far back (window let go: memory bound)');
  });
});

describe('WebSocketFrameDecoder: compressed messages', () => {
  test('after a handshake that accepted permessage-deflate: a compressed message, a plain one, a compressed one in three frames (RSV1 on the first only)', async () => {
    const sender = new Sender();
    const d = new WebSocketFrameDecoder();
    expect(read(d, RESPONSE('Sec-WebSocket-Extensions: permessage-deflate\r\n'))).toEqual([]);
    expect(read(d, frame(await sender.compress(bytesOf(message('c-1'))), { rsv1: true }))).toEqual(['c-1']);
    expect(read(d, frame(bytesOf(message('p-2'))))).toEqual(['p-2']);
    const third = await sender.compress(bytesOf(message('c-3')));
    const parts = [third.subarray(0, 5), third.subarray(5, 9), third.subarray(9)];
    expect(read(d, frame(parts[0]!, { fin: false, rsv1: true }))).toEqual([]);
    expect(read(d, frame(parts[1]!, { fin: false, opcode: 0 }))).toEqual([]);
    expect(read(d, frame(parts[2]!, { opcode: 0 }))).toEqual(['c-3']);
  });

  test('a compressed message where the handshake named no permessage-deflate is dropped and reported (the peer fails the connection)', async () => {
    const d = new WebSocketFrameDecoder();
    read(d, RESPONSE(''));
    expect(read(d, frame(await new Sender().compress(bytesOf(message('x'))), { rsv1: true }))).toEqual([
      'bad-websocket-frame: compressed (RSV1) but no permessage-deflate agreed, dropped',
    ]);
    expect(read(d, frame(bytesOf(message('y'))))).toEqual(['y']);
  });

  test('RSV1 on a continuation frame: the message is dropped and reported', async () => {
    const d = new WebSocketFrameDecoder();
    const m = bytesOf(message('z'));
    expect(read(d, frame(m.subarray(0, 20), { fin: false }))).toEqual([]);
    expect(read(d, frame(m.subarray(20), { opcode: 0, rsv1: true }))).toEqual(['bad-websocket-frame: RSV1 set on a continuation frame, message dropped']);
    expect(read(d, frame(m))).toEqual(['z']);
  });

  test('a compressed message that inflates past the message limit is oversized', async () => {
    const d = new WebSocketFrameDecoder({ maxMessageBytes: 2000 });
    const opening = RESPONSE('Sec-WebSocket-Extensions: permessage-deflate\r\n');
    read(d, opening);
    const bomb = await new Sender().compress(new Uint8Array(50_000));
    // the offset: where the message's last frame starts in the direction's bytes
    expect(d.push(frame(bomb, { rsv1: true }))[0]!.errors).toEqual([{ reason: 'oversized-message', offset: opening.length, detail: 'a compressed message inflates past 2000 bytes' }]);
  });

  test('a direction first seen at a compressed frame (the capture began after the handshake) is WebSocket and its messages inflate', async () => {
    const demux = new SipFlowDemux();
    const sender = new Sender();
    for (const id of ['m-1', 'm-2']) {
      const b = frame(await sender.compress(bytesOf(message(id))), { rsv1: true });
      expect(demux.push('k', b, 0, b.length).map((r) => r.message?.callId)).toEqual([id]);
    }
    expect(demux.kindOf('k')).toBe('websocket');
  });

  test('after a lost segment the direction resyncs at a compressed frame too', async () => {
    const demux = new SipFlowDemux();
    const sender = new Sender();
    const opening = RESPONSE('Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n');
    demux.push('k', opening, 0, opening.length);
    demux.gap('k', 'a lost segment');
    const after = new Uint8Array([0x01, 0x02, 0x03, ...frame(await sender.compress(bytesOf(message('r-1'))), { rsv1: true })]);
    expect(demux.push('k', after, 0, after.length).map((r) => r.message?.callId ?? r.errors[0]!.detail)).toEqual(['3 bytes after a lost segment passed over to the next frame', 'r-1']);
  });
});

describe("the two directions of a connection share the server's answer", () => {
  const peerOf = (k: string) => (k === 'client' ? 'server' : 'client');
  const UPGRADE = bytesOf('GET / HTTP/1.1\r\nHost: sip.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n');

  test('a server direction first seen while the client direction resyncs after a lost segment: its 101 declining deflate holds for the client too', async () => {
    const demux = new SipFlowDemux({}, peerOf);
    demux.push('client', UPGRADE, 0, UPGRADE.length);
    demux.gap('client', 'a lost segment');
    const declined = RESPONSE('');
    demux.push('server', declined, 0, declined.length);
    const b = frame(await new Sender().compress(bytesOf(message('x-1'))), { rsv1: true });
    // Was: the server direction got a connection of its own (the client's framer, resyncing, was
    // not looked at), the client's stayed undecided, and its compressed message was inflated and read.
    expect(demux.push('client', b, 0, b.length).map((r) => r.message?.callId ?? r.errors[0]!.detail)).toEqual(['compressed (RSV1) but no permessage-deflate agreed, dropped']);
  });
});
