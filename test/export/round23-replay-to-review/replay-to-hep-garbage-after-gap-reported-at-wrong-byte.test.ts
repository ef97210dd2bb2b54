/**
 * Found by a review of 8418f0b/3be3820 (replay --to's TCP framing), fixed since: over HEP the bytes a direction's fresh framer passes over after a lost segment are not sent, its garbage-skipped report said on stderr, counted at the end (src/sources/replay-sender.ts replayCapture sendStream, passedOverAfterGap).
 * Input: SIP over TCP: OPTIONS #1 and the first 50 bytes of #2 in one segment; #2's bytes 50–120
 *   lost; the rest of #2 (88 bytes of headers) and #3 in one segment; the server's ACK past all.
 *   `replay --to hep://…` to `live --hep`, compared with `replay`.
 * Was (observed): the cut of #2 is said on stderr (as designed), and the sender sends the 88 bytes
 *   of #2's rest with #3. Offline the framer after the gap is a fresh one: "sip garbage-skipped at
 *   byte 0 (88)". Live the direction's framer never restarted (a HEP frame cannot say a gap): "sip
 *   garbage-skipped at byte 210 (88)" — a report line that is not the offline one.
 * Correct: README "Over HEP the live exports … equal an offline replay … line for line": past the
 *   reports the sender says instead (the cut), the live reports are the offline ones.
 * Fix: src/sources/replay-sender.ts replayCapture sendStream/cutStream: after a gap, do not send
 *   the bytes the fresh framer passes over before its next start line (say its garbage-skipped
 *   report on stderr with the cut, counted at the end), so the live side reads from the start line
 *   as the offline framer does.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { writeCap, sipMsg, type Seg } from './cap.js';
import { liveOf, offlineOf } from './harness.js';
import { detailOf, setup } from './common.js';

const t = setup('r23-gaprest-');

it('the rest of a message past a lost segment is not reported live at another byte than offline', async () => {
  const [m1, m2, m3] = [sipMsg(1), sipMsg(2), sipMsg(3)];
  const segs: Seg[] = [
    { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1 + m2.slice(0, 50) },
    // m2.slice(50, 120): lost
    { ts: 1.2, from: 'client', seq: 1000 + m1.length + 120, ack: 9000, payload: m2.slice(120) + m3 },
    { ts: 1.3, from: 'server', seq: 9000, ack: 1000 + m1.length + m2.length + m3.length },
  ];
  const cap = path.join(t.dir(), 'rest.pcap');
  await writeCap(cap, segs);
  const off = await offlineOf(t.dir(), cap, 'rest', t.policy());
  expect(off.reports.map(detailOf)).toEqual([expect.stringContaining('cut by a lost segment'), 'sip garbage-skipped at byte 0 (88)']);
  const got = await liveOf(t.dir(), cap, 'rest', t.policy(), 'hep');
  // the cut is the sender's to say (as designed); every report live gives is one offline gave
  expect(got.stderr).toContain(`rest.pcap: ${String(off.reports[0]!.detail)}: the offline replay's report`);
  const offLines = off.reports.map(detailOf);
  for (const r of got.reports) expect(offLines).toContain(detailOf(r));
  // (fixed: the passed-over rest is not sent, and its report is the sender's to say too)
  expect(got.reports).toEqual([]);
  expect(got.stderr).toContain(`rest.pcap: ${String(off.reports[1]!.detail)}: the offline replay's report`);
  expect(got.stderr.trim().split('\n')).toHaveLength(2);
  expect(got.summary.sip).toBe(Number(off.summary.sip) - off.reports.length);
}, 60_000);
