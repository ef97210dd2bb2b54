/**
 * Found by a review of 448282a (replay --to's rewrite), fixed since: a raw-IP record of no IP version (link types 101, 12, 14) is sent as captured (src/sources/replay-sender.ts replayCapture sendIpPacket).
 * Input: a LINKTYPE_RAW (101) capture — raw IP records, as `tcpdump -i any` on some systems or a
 *   tunnel interface writes them: a UDP SIP datagram, a record whose IP version nibble is 5 (the
 *   malformed header of round 24's "not an IP packet" test, here in a raw capture), a second SIP
 *   datagram. `replay --to udp://… --udp-mode ip-packet` to `live --udp … --udp-mode ip-packet`,
 *   compared with the offline `replay`.
 * Was (observed): {sent 2, skipped 1}, stderr empty. decodeLinkLayer answers MALFORMED for the raw
 *   record ("raw IP record with IP version 5"), so sendIpPacket skips it as a record "without an IP
 *   packet". Offline: malformed 1, one malformed-input report; live: malformed 0, no report.
 * Correct: 448282a / README "replay --to": `--udp-mode ip-packet` sends each record's IP packet
 *   byte for byte as captured, "a malformed header alike", so the live side reads what the offline
 *   replay reads. The same header in an Ethernet frame typed IPv4 is sent (round 24's fix) and live
 *   counts and reports it; in a raw capture the record *is* the packet, and it is lost without a word.
 * Fix: src/sources/replay-sender.ts replayCapture sendIpPacket: for a raw-IP link type
 *   (LinkType.RAW, RAW_DLT12, RAW_DLT14) whose decodeLinkLayer answer is MALFORMED with a non-empty
 *   record, send the record's bytes [start, end) as its IP packet (udp-listener then counts and
 *   reports "not an IP packet" as the offline replay does the record).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, reading, setup } from '../round24-replay-to-review/harness.js';
import { C4, ipv4, S4, udp } from '../round24-replay-to-review/pkt.js';
import { writeLinkCap } from './linkcap.js';

const t = setup('bu-rawv5-');

it('a raw-IP record with a bad version nibble goes as captured, and live counts it malformed as offline does', async () => {
  const bad = ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(2)));
  bad[0] = 0x55;
  const cap = await writeLinkCap(path.join(t.dir(), 'rawv5.pcap'), 101, [
    { ts: 1.0, data: ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(1))) },
    { ts: 1.1, data: bad },
    { ts: 1.2, data: ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(3))) },
  ]);
  const off = await offlineOf(t.dir(), cap, 'rawv5', t.policy());
  expect(off.summary).toMatchObject({ sip: 2, malformed: 1 });
  expect(off.reports).toHaveLength(1);
  const got = await liveOf(t.dir(), cap, 'rawv5', t.policy(), 'ip-packet');
  expect({ sent: got.sent, skipped: got.skipped }).toEqual({ sent: 3, skipped: 0 });
  // (the report's words are live's own — "not an IP packet" — as for the Ethernet case: summaries compared)
  expect(reading(got).summary).toEqual(reading(off).summary);
  expect(got.reports).toHaveLength(1);
}, 60_000);
