/**
 * Found by a review of f8ab8ad (the window-close rework), fixed since:
 * the capture end's windows are keyed `~~<window key>`, after every window closed on time at the same place (`~<end>~…`), whatever the Call-ID (src/pipeline/media-core.ts finish).
 *
 * Input: at the capture's end, two windows close at one place, afterFrame(last frame): one on
 *   time (its end reached by the end-of-capture clock) and one at the capture's end. Policy:
 *   default APT `d` (domain, aggregated-only, retention 24h), window 10 s, T = 1767225600; the
 *   same capture twice, differing only in the call's Call-ID — `call-1@10.0.0.1` and
 *   `-call-1@10.0.0.1` (RFC 3261 §25.1: a Call-ID is `word ["@" word]`, and a word may begin
 *   with "-", ".", "!", "%", "*", "_", "+", "'", "~"…):
 *     T+0    unbound SR, SSRC 5555, 10.0.0.3:7001 → 10.0.0.4:7003   window [T, T+10)
 *     T+0.1  INVITE / 200 OK / ACK of the call (A audio 6000, SSRC 6000)
 *     T+1    SR of SSRC 6000 (the call's)                            window [T+1, T+11)
 *     T+2000 SR of SSRC 6000, alone that far ahead (the clock keeps T+1): it closes the call's
 *            window at its record and opens [T+2000, …); the capture ends.
 *   At the end (MediaCore.finish after endBatch of no records), the unbound window closes on
 *   time by lastTs (closeDue, reason window-end, end T+10, key `~<endKey>~<window key>`), the
 *   call's window at the capture's end (closeAll, end T+2000, key `~<window key>`).
 * Was (observed): with Call-ID `call-1@…` the lines stand [window-end (end T+10),
 *   end-of-capture (end T+2000)]; with `-call-1@…` they stand [end-of-capture, window-end]: the
 *   two kinds of key share the "~" prefix, so which comes first is decided by the Call-ID's first
 *   character against endKey's leading "0" (any Call-ID, session key or IPv6 text below "0").
 * Correct: the same order whatever the Call-ID: windows closed on time at one place first, in
 *   the order of their ends (README "Live beside a media relay": "windows closed at one place
 *   stand in the order of their ends"; a live feed's idle ticks write them before SIGTERM's
 *   end-of-capture lines), then the end-of-capture ones.
 * Fix: src/pipeline/media-core.ts emitDue / finish: give the two paths distinct key prefixes that
 *   order them (e.g. on-time lines `~0<endKey>~…`, finish's closeAll `~1~…`, or finish's keyed by
 *   end as emitDue's are), rather than both starting `~` followed by free text.
 */
import { afterAll, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { policyOf, Workspace, writePcapRecords } from '../e2e-helpers.js';
import { message, onPort, sdpOf, sr } from '../hand-built-calls.js';
import { expectAllEqual, replayFour, T0 } from '../round23-window-close-review/util.js';
import { parseLines } from '../e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = policyOf({ apts: { d: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, default: 'd' });

async function captureWith(callId: string): Promise<string> {
  const A = '10.0.0.1';
  const B = '10.0.0.2';
  const recs: { ts: number; data: Uint8Array }[] = [];
  const udp = (t: number, src: string, dst: string, sport: number, dport: number, payload: Uint8Array) => recs.push({ ts: T0 + t, data: buildEthernetIpv4Udp({ src, dst, sport, dport, payload }) });
  udp(0, '10.0.0.3', '10.0.0.4', 7001, 7003, sr(5555));
  udp(0.1, A, B, 5060, 5060, message(callId, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [], ''));
  udp(0.2, B, A, 5060, 5060, message(callId, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)));
  udp(0.3, A, B, 5060, 5060, message(callId, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, null));
  udp(1, A, B, 6001, 7001, sr(6000));
  udp(2000, A, B, 6001, 7001, sr(6000));
  const file = await ws.file(`tie-${callId.replace(/\W/g, '_')}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), recs);
  return file;
}

const lastTwo = (exports: string[]) =>
  parseLines<{ type: string; reason?: string; window: { end: number }; stream: { ssrc: number } }>(exports)
    .filter((e) => e.type === 'aggregate')
    .slice(-2)
    .map((a) => `${a.stream.ssrc} ${a.window.end - T0}`);

it('on-time and end-of-capture closes at the last position: one order whatever the Call-ID', async () => {
  const plain = await replayFour(await captureWith('call-1@10.0.0.1'), policy);
  const dashed = await replayFour(await captureWith('-call-1@10.0.0.1'), policy);
  expectAllEqual(plain);
  expectAllEqual(dashed);
  expect(lastTwo(plain.w0.exports)).toEqual(['5555 10', '6000 2000']);
  expect(lastTwo(dashed.w0.exports)).toEqual(['5555 10', '6000 2000']);
});
