/**
 * Found by a review of the latest changes (WebSocket, offeredMid, counters), fixed since: the empty block appended after a message's last final block (with or without the sender's leftover 0x00) is no stream of the sender's (src/signaling/websocket-deflate.ts isTail).
 */
/**
 * Input: one permessage-deflate message (RFC 7692) whose payload is 16 DEFLATE streams, each
 *   ended by a block with BFINAL set (a sender flushing with final blocks, §7.2.3.4), then the
 *   empty stored block §7.2.1 has the sender append and cut (a single 0x00 left) — and the same
 *   without that 0x00. Given to MessageInflater.inflate (src/signaling/websocket-deflate.ts).
 * Was: refused: "not inflated: more than 16 DEFLATE streams in one message" (the direction's
 *   window is let go as well, so every later message of a context-takeover direction is lost
 *   too). The loop counts the empty non-final block the receiver's appended 00 00 ff ff makes
 *   after the last final block (§7.2.2) as a 17th stream: every message is one stream more than
 *   its final blocks, so at most 15 are read. 15 final blocks inflate fine.
 * Correct: README "data past a final block read on in the same window, for 16 DEFLATE streams per
 *   message at most: a message of more is reported" and MAX_STREAMS_PER_MESSAGE = 16 ("DEFLATE
 *   streams … read in one message at most"): a message of exactly 16 is read, and the message
 *   says "more than 16" only of one with more (17 final blocks: refused, as checked in PASSING).
 *   (Low severity: real senders — browsers, Node ws, JsSIP through them — sync-flush, one stream.)
 * Fix: websocket-deflate.ts inflate(): refuse only when a 17th stream holds more than the
 *   appended empty block (e.g. `streams === MAX && input.length > TAIL.length + 1`), or count a
 *   stream only once it ended with BFINAL.
 */
import { deflateRawSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { MessageInflater } from '../../../src/signaling/websocket-deflate.js';

const TEXT = 'OPTIONS sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK1\r\nCall-ID: d16\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
const streams = (n: number) => Array.from({ length: n }, (_, i) => deflateRawSync(Buffer.from(TEXT.slice(Math.floor((i * TEXT.length) / n), Math.floor(((i + 1) * TEXT.length) / n)))));

for (const [name, tail] of [['with the 0x00 §7.2.1 leaves', [0x00]], ['without it', []]] as const)
  it(`a message of 16 final-block streams is inflated (${name})`, () => {
    const r = new MessageInflater().inflate(Buffer.concat([...streams(16), Buffer.from(tail)]), 1 << 18);
    expect(r.error).toBeNull();
    expect(Buffer.from(r.bytes!).toString('latin1')).toBe(TEXT);
  });
