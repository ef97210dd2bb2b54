/**
 * Found by a review of 8418f0b/3be3820 (replay --to's TCP framing), fixed since: over HEP the chunks held while a direction is undecided go as the HEP frames they came in, so the live classifier passes over a lone probe octet as offline (src/sources/replay-sender.ts replayCapture sendStream).
 * Input: SIP over TCP picked up mid-connection: the first segment is a keep-alive probe's garbage
 *   octet ('x', one byte at SND.NXT − 1, RFC 1122 §4.2.3.6), then OPTIONS #1 and #2 in their own
 *   segments. `replay --to hep://…` to `live --hep`, compared with `replay`.
 * Was (observed): the sender's framer holds the lone octet (its direction undecided), then sends it
 *   glued to #1 in one HEP frame ("xOPTIONS sip:…"). The offline framer passed the octet over (a
 *   byte alone in the direction's first chunk: SipFlowDemux.classify `origin`), but the live side,
 *   given it glued to more, reads a request whose method is "xOPTIONS" and reports
 *   "sip cseq-method-mismatch at byte 155": live malformed 1, offline 0.
 * Correct: README "Over HEP the live exports … equal an offline replay … line for line", and
 *   8418f0b: each direction framed as the offline replay frames it. The chunk boundaries the
 *   classifier relies on are lost by the concatenation of held chunks.
 * Fix: src/sources/replay-sender.ts replayCapture sendStream: do not send the bytes the framer's
 *   classification passed over before the direction's first message (they are no message offline
 *   either), or send the held chunks of an undecided direction as the frames they came in.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { writeCap, sipMsg, type Seg } from './cap.js';
import { liveOf, offlineOf } from './harness.js';
import { setup } from './common.js';

const t = setup('r23-probe-');

it('a probe octet before the first message is not glued to it over HEP', async () => {
  const [m1, m2] = [sipMsg(1), sipMsg(2)];
  const segs: Seg[] = [
    { ts: 1.0, from: 'client', seq: 999, ack: 9000, payload: 'x' },
    { ts: 1.1, from: 'client', seq: 1000, ack: 9000, payload: m1 },
    { ts: 1.2, from: 'client', seq: 1000 + m1.length, ack: 9000, payload: m2 },
  ];
  const cap = path.join(t.dir(), 'probe.pcap');
  await writeCap(cap, segs);
  const off = await offlineOf(t.dir(), cap, 'probe', t.policy());
  expect(off.summary).toMatchObject({ sip: 2, malformed: 0, reports: {} });
  const got = await liveOf(t.dir(), cap, 'probe', t.policy(), 'hep');
  expect({ summary: got.summary, reports: got.reports }).toEqual({ summary: { ...off.summary, packets: got.sent }, reports: off.reports });
}, 60_000);
