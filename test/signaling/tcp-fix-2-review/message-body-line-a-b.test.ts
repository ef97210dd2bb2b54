/**
 * Found by a review of SIP over TCP framing (4c9813e: the older sibling frame-begun-in-sip-headers
 * names), fixed since: 'A'/'B' (0x41, 0x42) opening a line of text is no WebSocket frame, at a
 * carried line's start nor a chunk's (src/signaling/sip-flows.ts opensWithFrames, textLine).
 * Input: plain SIP over TCP, the capture joined mid-message (no SYN): the tail of a MESSAGE's
 *   header section, its text/plain body "Are you there? …" (60–199 bytes, UTF-8 '…') opening a
 *   segment of 20 bytes of its own and ending in the next, then an OPTIONS in its own segment.
 *   ('A' 'r' read as a frame header: RSV1, text, 114 bytes; with bodies of 76, 83, 90, 101, 113
 *   and 116 bytes its end fell on a byte a frame may start with, and the direction was read as
 *   WebSocket: bad-websocket-frame reports, the OPTIONS lost.)
 * Correct: SPEC §7 SIP over TCP; README "A direction picked up mid-message is searched for the
 *   next SIP start line": the OPTIONS read at frame 4, whatever the body's length.
 */
import { expect, it } from 'vitest';
import { A, seg, sipMsg, TcpFlag } from '../tcp-reassembly-review/lab.js';
import { startLines } from '../tcp-suspicions-review/feed.js';

const P = TcpFlag.PSH | TcpFlag.ACK;

it('a MESSAGE body opening with "Are you…" at a segment start, bodies of 60–199 bytes: the OPTIONS after it is read', async () => {
  const text = Buffer.from('Are you there? I was waiting for you, since the call dropped… ' + 'x'.repeat(200), 'utf8').toString('latin1');
  const o = sipMsg('OPTIONS', 'two');
  const wrong: [number, [number, string[]][]][] = [];
  for (let n = 60; n < 200; n++) {
    const m = sipMsg('MESSAGE', 'm', text.slice(0, n), 'Content-Type: text/plain;charset=utf-8\r\n');
    const at = m.indexOf('Are you');
    const head = m.slice(m.indexOf('CSeq'), at);
    const body = m.slice(at);
    const recs = [seg(A, 1000, P, head, 0, 9000), seg(A, 1000 + head.length, P, body.slice(0, 20), 0, 9000), seg(A, 1000 + head.length + 20, P, body.slice(20), 0, 9000), seg(A, 1000 + head.length + body.length, P, o, 0, 9000)];
    const got = await startLines(recs);
    if (JSON.stringify(got) !== JSON.stringify([[4, ['OPTIONS two']]])) wrong.push([n, got]);
  }
  expect(wrong).toEqual([]);
});
