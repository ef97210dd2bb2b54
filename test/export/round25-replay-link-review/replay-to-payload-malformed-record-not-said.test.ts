/**
 * Found by a review of replay --to's link-layer corners, fixed since: a record the offline replay reports malformed (not a snap cut) is counted, the first said in that report's words, their count at the end (src/sources/replay-sender.ts replayCapture, skippedKind).
 * Input: an Ethernet capture of link layers whose word on the IP version disagrees with the
 *   packet (nothing cut): a UDP SIP datagram; a PPPoE session frame, PPP protocol 0x0021 (IPv4),
 *   holding an IPv6 SIP datagram; an 802.1Q frame, inner EtherType 0x86DD, holding an IPv4 one; a
 *   QinQ frame, inner EtherType 0x0800, holding an IPv6 one; a last SIP datagram.
 *   `replay --to hep://…` to `live --hep …`, compared with the offline `replay`; and
 *   `replay --to udp://…` (payload mode) into a socket. (A NULL/loopback record of family 2
 *   holding IPv6 behaves the same.)
 * Was (observed): over HEP {sent 2, skipped 3}, stderr empty: offline sip 2, malformed 3 with three
 *   malformed-input reports ("IPv4 header with version 6", "IPv6 header with version 4", …); live
 *   sip 2, malformed 0, no report. Payload mode: {sent 2, skipped 3}, stderr empty. The payload path
 *   counts every 'malformed' record (bar snap cuts) in skipped without a word — while
 *   --udp-mode ip-packet says these very records ("IPv4 header with version 6: not sent, nor any
 *   other IP packet of another version than its link layer says", with their count).
 * Correct: README "replay --to" / the brief: the live side reads what the offline replay reads,
 *   or the record is not sent *and that is said on stderr* (the first said, a count at the end);
 *   README: "Over HEP the live exports and reports equal an offline replay line for line", the
 *   listed exceptions (snap cuts, TCP cuts) each said — these are not among them. As for SIP over
 *   TCP cut by a gap, the offline replay's report should be said instead.
 * Fix: src/sources/replay-sender.ts replayCapture, payload/HEP path: a record whose kind is
 *   'malformed' (not a snap cut) is counted in skipped and the first said with file, byte, frame
 *   and view.error ("… : the offline replay's report, not sent, nor any other malformed record"),
 *   their count at the end.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { liveOf, offlineOf, setup } from '../round24-replay-to-review/harness.js';
import { link, offsetOf, writeLinkCap, type LinkRec } from '../round24-replay-to-final-review/linkcap.js';
import { pppoeAs, qinqAs, sip4, sip6, toSocket, vlanAs } from './local.js';

const t = setup('r25-malf-');
const recs: LinkRec[] = [
  link.ethernet(sip4(1)),
  pppoeAs(sip6(2), 0x0021),
  vlanAs(sip4(3), 0x86dd),
  qinqAs(sip6(4), 0x0800),
  link.ethernet(sip4(5)),
].map((data, k) => ({ ts: 1 + k / 10, data }));

it('hep: records offline reports malformed are not sent without a word', async () => {
  const cap = await writeLinkCap(path.join(t.dir(), 'malf-hep.pcap'), 1, recs);
  const off = await offlineOf(t.dir(), cap, 'malf-hep', t.policy());
  expect(off.summary).toMatchObject({ sip: 2, malformed: 3 });
  const got = await liveOf(t.dir(), cap, 'malf-hep', t.policy(), 'hep');
  expect({ sent: got.sent, skipped: got.skipped }).toEqual({ sent: 2, skipped: 3 });
  expect(got.summary.malformed).toBe(0);
  // what live will never report is said, the first with its byte, frame and the offline words
  expect(got.stderr).toContain(`malf-hep.pcap: at byte ${offsetOf(recs, 1)}: frame 2: IPv4 header with version 6`);
}, 60_000);

it('payload: the same, said on stderr', async () => {
  const cap = await writeLinkCap(path.join(t.dir(), 'malf-payload.pcap'), 1, recs);
  const r = await toSocket(cap, 'payload', 2);
  expect(r.result).toEqual({ sent: 2, skipped: 3 });
  expect(r.stderr).toContain(`malf-payload.pcap: at byte ${offsetOf(recs, 1)}: frame 2: IPv4 header with version 6`);
}, 60_000);
