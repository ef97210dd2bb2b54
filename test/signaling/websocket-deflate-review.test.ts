/**
 * What a review of the first permessage-deflate change (RFC 7692, 9424462) found, each test
 * failing on that code and fixed since: a compressed message dropped unread (oversized, RSV1 on
 * a continuation) left the window out of step with the sender's, so the next message was read
 * with another call's bytes; the window pinned the whole inflated Buffer (Buffer#slice is a
 * view); the windows of 20 000 directions had no common bound; a client's offer alone counted
 * where the server's 101 had declined; DEFLATE data after a BFINAL block was dropped; a
 * direction first seen at the first fragment of a compressed message was framed from a wrong
 * offset. The "Was:" lines say what the first code did.
 */
import { randomBytes } from 'node:crypto';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { frame, Sender } from './deflate-fixtures.js';
import { SipFlowDemux } from '../../src/signaling/sip-flows.js';
import { DEFAULT_WINDOW_BUDGET_BYTES, MessageInflater } from '../../src/signaling/websocket-deflate.js';
import type { SipParseResult } from '../../src/signaling/sip-message.js';
import { WebSocketFrameDecoder } from '../../src/signaling/websocket-frames.js';

const enc = new TextEncoder();
const bytesOf = (s: string): Uint8Array => enc.encode(s);

const RESPONSE = bytesOf('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n');

const sip = (callId: string) =>
  `OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;

/** Each result: the Call-ID read, or "reason: detail". */
const read = (d: { push(b: Uint8Array): SipParseResult[] }, b: Uint8Array) =>
  d.push(b).map((r) => (r.message ? `Call-ID ${r.message.callId}` : `${r.errors[0]!.reason}: ${r.errors[0]!.detail}`));

describe('a compressed message dropped without being inflated leaves the window out of step with the sender', () => {
  /*
   * The sender's LZ77 window holds every message it compressed, including one the reader
   * drops (here: too large in fragments). RFC 7692 §7.2.2: the receiver "MUST decompress each
   * new message using the LZ77 sliding window used to process the last compressed message".
   * If the reader did not inflate the dropped message, its window is not the sender's: a later
   * message referring back must be reported ("not inflated", as after a failed message —
   * the inflater's own windowLost rule), never inflated against the wrong bytes. Was: the
   * window goes on as if the dropped message had never been sent, and the next message's
   * back-references land on older bytes: a SIP message with another call's Call-ID is read.
   */
  test('a compressed message oversized in fragments, then one that repeats its tail: never read as a different message', async () => {
    const sender = new Sender();
    const d = new WebSocketFrameDecoder({ maxMessageBytes: 4000 });
    expect(read(d, RESPONSE)).toEqual([]);
    const noise = () => randomBytes(2400).toString('base64'); // 3200 bytes that barely compress
    // 1: inflated fine; it ends with call-A's message
    const first = await sender.compress(bytesOf(noise().slice(0, 2000) + sip('call-A-000')));
    expect(read(d, frame(first, { rsv1: true }))).toHaveLength(1);
    // 2: more than 4000 compressed bytes over two frames: dropped as oversized, never inflated; it ends with call-B's message
    const second = await sender.compress(bytesOf(noise() + noise() + sip('call-B-111')));
    expect(second.length).toBeGreaterThan(4000);
    const half = Math.floor(second.length / 2);
    expect(read(d, frame(second.subarray(0, half), { fin: false, rsv1: true }))).toEqual([]);
    expect(read(d, frame(second.subarray(half), { opcode: 0 }))[0]).toMatch(/^oversized-message/);
    // 3: call-B's message alone: the sender codes it as one back-reference into message 2's tail
    const third = await sender.compress(bytesOf(sip('call-B-111')));
    expect(third.length).toBeLessThan(20);
    const got = read(d, frame(third, { rsv1: true }));
    // Correct: reported as not inflatable (its window went with message 2). Was: "Call-ID call-A-000".
    expect(got).not.toEqual(['Call-ID call-A-000']);
    expect(got[0]).toMatch(/^bad-websocket-frame: not inflated: invalid distance too far back/);
  });

  test('RSV1 on a continuation frame drops the message (reported) — the next compressed message referring back to it must not be read with other bytes', async () => {
    const sender = new Sender();
    const d = new WebSocketFrameDecoder();
    read(d, RESPONSE);
    expect(read(d, frame(await sender.compress(bytesOf(sip('call-A-000'))), { rsv1: true }))).toEqual(['Call-ID call-A-000']);
    const second = await sender.compress(bytesOf(sip('call-B-111')));
    read(d, frame(second.subarray(0, 3), { fin: false, rsv1: true }));
    expect(read(d, frame(second.subarray(3), { opcode: 0, rsv1: true }))[0]).toMatch(/RSV1 set on a continuation frame/);
    const third = await sender.compress(bytesOf(sip('call-B-111')));
    const got = read(d, frame(third, { rsv1: true }));
    // Correct: "not inflated" (the dropped message is in the sender's window, not the reader's). Was: call-A-000.
    expect(got[0]).not.toBe('Call-ID call-A-000');
    expect(got[0]).toMatch(/^bad-websocket-frame: not inflated/);
  });
});

describe('the server declined the offer', () => {
  /*
   * RFC 7692 §5/§6 and RFC 6455 §9.1: an extension is in use only when the server's response
   * names it; RFC 6455 §5.2: RSV1 set with no negotiated extension defining it makes the
   * receiver _Fail the WebSocket Connection_ — the server never reads that message. tshark 4.0
   * shows no SIP in this capture (checked below), and shows "declined-1" once the 101 carries
   * "Sec-WebSocket-Extensions: permessage-deflate" (tried by hand). The client's direction, whose own GET merely offered it,
   * must report the compressed message as it does for a direction whose handshake named no
   * permessage-deflate. Was: the offer alone counted: the message is inflated and read as SIP.
   */
  test("a client's compressed message after a 101 that accepted no extension is reported, not read", async () => {
    const { TcpFlag } = await import('../../native-free/frame-builder.js');
    const { tcp, A, B, sipOf } = await import('../pipeline/tcp-sip.js');
    const payload = (() => {
      const c = deflateRawSync(bytesOf(sip('declined-1')), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      return c.subarray(0, c.length - 4);
    })();
    const mask = [1, 2, 3, 4];
    const frameBytes = Uint8Array.from([0xc1, 0x80 | 126, payload.length >> 8, payload.length & 0xff, ...mask, ...payload.map((b, i) => b ^ mask[i & 3]!)]);
    const get = 'GET / HTTP/1.1\r\nHost: 10.0.0.2\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n';
    const declined = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
    const a = { ...A, sport: 40000, dport: 80 };
    const b = { ...B, sport: 80, dport: 40000 };
    const records = [
      tcp(a, 0, TcpFlag.SYN),
      tcp(b, 0, TcpFlag.SYN | TcpFlag.ACK),
      tcp(a, 1, TcpFlag.ACK),
      tcp(a, 1, TcpFlag.PSH | TcpFlag.ACK, get),
      tcp(b, 1, TcpFlag.PSH | TcpFlag.ACK, declined),
      tcp(a, 1 + get.length, TcpFlag.PSH | TcpFlag.ACK, frameBytes),
    ];
    // tshark's reading of the same capture, when it is installed: no SIP at all
    const { execFileSync } = await import('node:child_process');
    const { writePcap } = await import('../wire/helpers.js');
    const file = writePcap('review-pmd-declined.pcap', 101, records.map((r, i) => ({ ts: 1000 + i, data: r.data })));
    let tshark: string | null = null;
    try {
      tshark = execFileSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      /* tshark missing */
    }
    if (tshark !== null) expect(tshark.trim()).toBe('');
    const got = await sipOf(records);
    // Was: [[6, 'ws', ['OPTIONS declined-1']]]
    expect(got).toEqual([[6, 'ws', ['bad-websocket-frame: compressed (RSV1) but no permessage-deflate agreed, dropped']]]);
  });
});

describe('a message whose DEFLATE data goes on after a block with BFINAL set', () => {
  /*
   * RFC 7692 §7.2.3.4 lets a sender flush with a block whose BFINAL is 1 and has the receiver
   * decompress what follows it "in the same manner" (its example payload is such a block
   * followed by the 0x00 header octet of a further, non-final stored block). Receivers built on
   * zlib (Chromium's and WebKit's WebSocketInflater) inflateReset on Z_STREAM_END and go on
   * inflating the rest of the message. inflateRawSync stops at the first final block and drops
   * the rest of the message silently: here an INVITE whose first 100 bytes came in one final
   * block and the rest in another is read as a headless fragment (no Call-ID, no CSeq) — the
   * call is lost. Correct: the whole INVITE is read (or, at the least, the message is reported
   * as not inflatable — never a cut message passed off as the sender's).
   */
  test('an INVITE sent as two final DEFLATE blocks is read whole', () => {
    const d = new WebSocketFrameDecoder();
    read(d, RESPONSE);
    const invite = bytesOf(sip('bfinal-1').replace('OPTIONS sip:bob@example.com', 'INVITE sip:bob@example.com').replace('1 OPTIONS', '1 INVITE'));
    const payload = Buffer.concat([deflateRawSync(invite.subarray(0, 100)), deflateRawSync(invite.subarray(100)), Buffer.from([0])]);
    // Correct: ['Call-ID bfinal-1']. Was: ['no-header-end: ...'] (the first 100 bytes only).
    expect(read(d, frame(payload, { rsv1: true }))).toEqual(['Call-ID bfinal-1']);
  });
});

describe('memory held per WebSocket direction', () => {
  /*
   * websocket-deflate.ts says the inflater "keeps the last 32 KiB it produced". When a message
   * inflates to 32 KiB or more, keep() takes out.slice(...) of the Buffer inflateRawSync
   * returned — Buffer#slice is a view, so the window keeps the whole output alive (up to the
   * 256 KiB message limit). A 220-byte compressed message then pins 200 KiB per direction.
   * Correct: the window's memory is at most 32 KiB (copy the tail: Uint8Array.prototype.slice
   * or new Uint8Array(out.subarray(...))).
   */
  test('one 220-byte compressed message does not pin 200 KiB in the direction', () => {
    const c = deflateRawSync(Buffer.alloc(200 * 1024, 0x41), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const inflater = new MessageInflater();
    expect(inflater.inflate(c.subarray(0, c.length - 4), 256 * 1024).error).toBeNull();
    const window = (inflater as unknown as { window: Uint8Array }).window;
    expect(window.length).toBe(32 * 1024);
    // Was: 204800 bytes behind a 32 KiB window.
    expect(window.buffer.byteLength).toBeLessThanOrEqual(32 * 1024);
  });

  /*
   * SipFlowDemux follows up to 20 000 directions (DEFAULT_SIP_FLOW_LIMITS.maxFlows); each
   * WebSocket direction that has inflated 32 KiB now holds a 32 KiB window for as long as the
   * connection lives — 20 000 x 32 KiB = 640 MiB, on top of everything else, where the
   * README's target for a whole replay is a peak RSS under 250 MB. A capture of a WebRTC SIP
   * server with some thousands of browsers registered over long-lived WebSocket connections
   * reaches it (or one of a few MB crafted so: one tiny compressed message per connection).
   * Correct: the windows share a bound (e.g. drop the least recently active directions'
   * windows past a budget — a message that then refers back is reported "not inflated",
   * the very path a lost segment already takes). The 200 KiB pin above makes it ~4 GB.
   */
  test('20 000 WebSocket directions with deflate do not hold 640 MiB of windows', () => {
    const demux = new SipFlowDemux();
    const c = deflateRawSync(Buffer.alloc(32 * 1024, 0x41), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const bytes = new Uint8Array([...RESPONSE, ...frame(c.subarray(0, c.length - 4), { rsv1: true })]);
    for (let i = 0; i < 20_000; i++) demux.push(`k${i}`, bytes, 0, bytes.length);
    let held = 0;
    for (const flow of (demux as unknown as { flows: Map<string, { framer: unknown }> }).flows.values()) {
      const inflater = (flow.framer as { inflater: { window: Uint8Array } | null }).inflater;
      if (inflater) held += inflater.window.buffer.byteLength;
    }
    // Was: 655 360 000 bytes; now the windows' common budget bounds them.
    expect(held).toBeLessThanOrEqual(DEFAULT_WINDOW_BUDGET_BYTES);
  });
});

describe('a direction first seen at a compressed message in fragments', () => {
  /*
   * The commit: "a direction first seen at a compressed frame is WebSocket". Only FIN frames
   * (0xC1/0xC2) are taken so; the first frame of a fragmented compressed message (0x41/0x42:
   * RSV1, no FIN) is not, and the direction is then searched for SIP start lines in DEFLATE
   * data; here its carried tail is then misread as a frame header (see below) and the
   * direction is framed from a wrong offset. A capture that begins mid-connection at a large (fragmented) compressed
   * message, e.g. an INVITE with a big SDP, hits it. Correct: 0x41/0x42 (and 0x01/0x02) start a
   * WebSocket direction as well — no SIP start line begins with those bytes either.
   */
  test('0x41 then 0x80, then whole compressed messages: the direction is WebSocket and its messages are read', () => {
    const demux = new SipFlowDemux();
    const big = deflateRawSync(bytesOf(sip('frag-1')), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const p = big.subarray(0, big.length - 4);
    const first = frame(p.subarray(0, 10), { fin: false, rsv1: true });
    const rest = frame(p.subarray(10), { opcode: 0 });
    const results: string[] = [];
    for (const chunk of [first, rest]) results.push(...read({ push: (b) => demux.push('k', b, 0, b.length) }, chunk));
    for (let i = 2; i <= 10; i++) {
      const c = deflateRawSync(bytesOf(sip(`whole-${i}`)), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      const f = frame(c.subarray(0, c.length - 4), { rsv1: true });
      results.push(...read({ push: (b) => demux.push('k', b, 0, b.length) }, f));
    }
    // Was: the 0x41 frame is not taken for WebSocket; its DEFLATE bytes after the last 0x0a are
    // carried as the start of a line, and that carry happens to begin with 0x82 — taken for a
    // frame header when the 0x80 frame comes: the decoder frames from a wrong offset (binary
    // garbage reported as bad start lines, "reserved opcode"s), then waits on a bogus frame
    // length that swallows whole-5 … whole-10 without a word.
    expect(results).toEqual(['Call-ID frag-1', ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `Call-ID whole-${i}`)]);
  });
});
