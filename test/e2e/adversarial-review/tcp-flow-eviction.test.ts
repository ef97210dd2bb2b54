/**
 * Found by a review of adversarial input sizes, fixed since: a SIP-over-TCP direction dropped at the flow limit reports the message it was waiting for (src/signaling/sip-flows.ts push).
 */
// Input: connection 0 (10.0.0.1:40000 → 10.0.0.2:5060) sends the head of an INVITE that never
//   ends (105 bytes, no blank line); then 20 001 other TCP connections each send one whole
//   OPTIONS (a SIP port on the internet: anyone may connect). 6.8 MB capture.
// Was: with 10 other connections the cut INVITE is reported ("sip no-header-end … 105 bytes of a
//   message cut by the end of the capture, dropped"); with 20 001 the direction is evicted from
//   SipFlowDemux (maxFlows 20 000) and the pending message disappears: no report at all.
// Correct: README (SIP over TCP: "a message a RST or FIN cuts is reported … so is one a
//   connection still owes when the capture ends"; Limits: "when a limit evicts something a
//   `state-limit` report says so"): the cut message is reported, or the eviction is.
// Fix: src/signaling/sip-flows.ts SipFlowDemux.push — the evicted flow's framer.end('eviction')
//   result (only WebSocket windows are ended today, and their result is discarded) must be
//   returned to src/pipeline/packet-feed.ts tcp() and reported (malformed-input or state-limit).
import { describe, expect, it } from 'vitest';
import { replayBoth, tmpCapture } from './adv.js';
import * as C from './cases.js';

const told = (reports: Record<string, any>[]) =>
  reports.filter((r) => (r.type === 'malformed-input' || r.type === 'state-limit') && /cut|evict|dropped|not followed/i.test(String(r.detail)));

describe('a SIP-over-TCP message pending when its direction is evicted', () => {
  it('control: with 10 other connections the cut message is reported', async () => {
    const cap = await tmpCapture('few.pcap', C.pendingThenManyConnections(10));
    try {
      const [w0, w2] = await replayBoth(cap.file);
      expect(w0.code).toBe(0);
      expect(w2.raw.reports).toBe(w0.raw.reports);
      expect(told(w0.reports).map((r) => r.detail)).toEqual(['frame 22: sip no-header-end at byte 0 (105 bytes of a message cut by the end of the capture, dropped)']);
    } finally {
      await cap.cleanup();
    }
  }, 60_000);

  it('with 20 001 other connections the message (or its eviction) is still reported', async () => {
    const cap = await tmpCapture('many.pcap', C.pendingThenManyConnections(20001));
    try {
      const [w0, w2] = await replayBoth(cap.file);
      expect(w0.code).toBe(0);
      expect(w2.raw.reports).toBe(w0.raw.reports);
      expect(w0.summary?.packets).toBe(40004);
      expect(told(w0.reports).length).toBeGreaterThanOrEqual(1);
    } finally {
      await cap.cleanup();
    }
  }, 60_000);
});
