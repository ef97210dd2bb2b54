/**
 * Found by a review of SIP over TCP / WebSocket stream handling (round 20), fixed since: a partial message is held in the framer's own doubling buffer and its header-end search resumed, linear in the bytes (src/signaling/sip-stream.ts SipStreamFramer; websocket-frames.ts likewise).
 *
 * Input: a plain SIP over TCP direction (SipFlowDemux, as the packet feed drives it): an INVITE
 *   start line and then 256 KiB of header lines with no blank line after them (a peer sending a
 *   message that never ends), delivered one byte per TCP segment (a pcap of about 18 MB).
 * Was: the carry is bounded in bytes (maxMessageBytes, 256 KiB: at the bound one
 *   `oversized-message` is reported and the bytes dropped — that part is fine), but not in time:
 *   every push() copies the whole pending buffer twice (append(), then `b.slice(pos)` even when
 *   pos is 0) and headerSectionEnd() rescans it from the first line's end, so the cost is
 *   quadratic in the pending bytes: 64 KiB took 2.3 s, 128 KiB 8.2 s, 256 KiB 32 s on this
 *   machine — and every further 256 KiB of the same peer as much again (10 MB: ~20 minutes of
 *   the single signaling thread, all other calls' SIP waiting behind it). The WebSocket decoder's
 *   buffer (append via joinBytes, keep via slice) is quadratic the same way, about 20× cheaper.
 * Correct: linear work in the bytes received, as the undecided direction's carry already is
 *   (sip-flows.ts: "grown by doubling: a direction sent byte by byte is not copied whole at every
 *   byte"); an enforcer reading untrusted captures and live feeds must not be stalled by one
 *   peer's segmentation. Expected here: well under 8 s (a linear framer does this in a fraction
 *   of a second).
 * Fix: src/signaling/sip-stream.ts SipStreamFramer: grow the buffer by doubling and keep a read
 *   offset instead of slicing on every push; remember how far headerSectionEnd() has searched
 *   (resume from there minus 3 bytes) and where the current line started; the same for
 *   WebSocketFrameDecoder.append()/keep() in websocket-frames.ts.
 */
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';

it('256 KiB of an unfinished header section in 1-byte segments is read in linear time', () => {
  const demux = new SipFlowDemux();
  const key = '10.0.0.1:40000>10.0.0.2:5060';
  const head = Buffer.from('INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-1\r\n', 'latin1');
  const bytes = Buffer.concat([head, Buffer.alloc(256 * 1024 - head.length, 'X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n')]);
  const reasons: string[] = [];
  const t0 = performance.now();
  for (let at = 0; at < bytes.length; at++) for (const r of demux.push(key, bytes, at, 1)) reasons.push(r.message ? 'message' : r.errors[0]!.reason);
  const ms = performance.now() - t0;
  expect(demux.kindOf(key)).toBe('sip');
  expect(reasons).not.toContain('message');
  expect(ms).toBeLessThan(8000);
}, 300_000);
