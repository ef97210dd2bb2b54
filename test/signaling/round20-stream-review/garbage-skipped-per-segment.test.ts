/**
 * Found by a review of SIP over TCP / WebSocket stream handling (round 20), fixed since: a skipped stretch carries across segments and is reported once, when the next message or result comes or at the stream's end (src/signaling/sip-stream.ts SipStreamFramer.discard/end).
 *
 * Input: SIP over TCP (from its SYN): a MESSAGE whose 20 KB text/plain body spans 14 segments of
 *   1448 bytes, each acknowledged by the peer, then an OPTIONS; the 3rd data segment is not in
 *   the capture (the peer's ACK passes it: a capture drop, skipped at once). Also, framer level:
 *   a start line followed by 10 MB of header lines that never end (no CRLFCRLF), in 1448-byte
 *   chunks.
 * Was: the bytes passed over after the gap are reported once per TCP segment: body-truncated,
 *   then 12 `garbage-skipped` results (1424, 1456, 1456, … bytes), 13 malformed-input reports and
 *   a `sip` count of 14 for one MESSAGE and one OPTIONS. The 10 MB peer gives one
 *   `oversized-message` and then 7060 `garbage-skipped` results (one per chunk), each a
 *   malformed-input report and a `sip` in the summary. SipStreamFramer.discard() joins
 *   consecutive skipped lines into one error only within one push(): the run is cut at every
 *   segment boundary.
 * Correct: one report per stretch passed over, whatever the segmentation — as the framer's own
 *   comment says ("consecutive skipped lines are one error, not one per line"), as README says of
 *   a gap ("reading resumes at the next start line after the gap (SIP; what it passes over is
 *   reported)") and as ResyncingWebSocket does for WebSocket ("reported once per stretch"). The
 *   capture delivered without the ACKs (the held bytes read at the end, one push) already gives
 *   exactly that: body-truncated, one garbage-skipped, OPTIONS. A report per segment floods
 *   reports.ndjson and inflates the summary's `sip` (SPEC §8) by the number of segments.
 * Fix: src/signaling/sip-stream.ts SipStreamFramer: keep the skipped stretch (its start offset and
 *   byte count) across push() calls and emit it once, when the next start line is found or at
 *   end() (as ResyncingWebSocket.skippedReport does); the rest of an oversized message whose end
 *   is unknown may be passed over as part of it rather than as garbage.
 */
import { expect, it } from 'vitest';
import { SipStreamFramer } from '../../../src/signaling/sip-stream.js';
import { A, B, oursSip, seg, sipMsg, TcpFlag, type Rec } from '../tcp-reassembly-review/lab.js';

const P = TcpFlag.PSH | TcpFlag.ACK;

it('a gap inside a long body: one report for the bytes passed over after it, not one per segment', async () => {
  const options = sipMsg('OPTIONS', 'c3');
  const body = 'Lorem ipsum dolor sit amet, consectetur adipiscing\r\n'.repeat(400);
  const stream = sipMsg('MESSAGE', 'c9', body, 'Content-Type: text/plain\r\n') + options;
  const recs: Rec[] = [seg(A, 1000, TcpFlag.SYN), seg(B, 5000, TcpFlag.SYN | TcpFlag.ACK, '', 0, 1001), seg(A, 1001, TcpFlag.ACK, '', 0, 5001)];
  let seq = 1001;
  for (let at = 0, i = 0; at < stream.length; at += 1448, i++) {
    const p = stream.slice(at, at + 1448);
    if (i !== 2) recs.push(seg(A, seq, P, p, 0, 5001));
    seq += p.length;
    recs.push(seg(B, 5001, TcpFlag.ACK, '', 0, seq));
  }
  const got = (await oursSip(recs)).flatMap(([, m]) => m).map((m) => m.replace(/: \d+$/, ''));
  expect(got).toEqual(['body-truncated: 2896 bytes of a message cut by a lost segment, dropped', 'garbage-skipped', 'OPTIONS c3']);
}, 120_000);

it('10 MB of header lines without an end: bounded, and not one report per chunk', () => {
  const framer = new SipStreamFramer();
  const bytes = Buffer.concat([Buffer.from('INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP x\r\n', 'latin1'), Buffer.alloc(10 * 1024 * 1024, 'X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n')]);
  const reasons: string[] = [];
  let maxPending = 0;
  for (let at = 0; at < bytes.length; at += 1448) {
    for (const r of framer.push(bytes.subarray(at, Math.min(bytes.length, at + 1448)))) reasons.push(r.message ? 'message' : r.errors[0]!.reason);
    maxPending = Math.max(maxPending, framer.pendingBytes);
  }
  const end = framer.end('FIN');
  if (end !== null) reasons.push(end.errors[0]!.reason);
  // the carry is bounded (256 KiB, maxMessageBytes) — that part holds
  expect(maxPending).toBeLessThanOrEqual(256 * 1024);
  expect(reasons.filter((r) => r === 'message')).toEqual([]);
  expect(reasons.filter((r) => r === 'garbage-skipped').length).toBeLessThanOrEqual(1);
}, 120_000);
