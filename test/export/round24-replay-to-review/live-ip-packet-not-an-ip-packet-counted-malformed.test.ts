/**
 * Found by a review of ce80d19/8e7e3d7 (replay --to's fixes), fixed since: ip-packet mode sends a malformed IP packet as captured (src/sources/replay-sender.ts replayCapture sendIpPacket); live already counted and reported a datagram that is no IP packet as malformed (udp-listener receive), as the offline replay does the record.
 * Input: an Ethernet capture of a UDP SIP datagram, then an IPv4-typed frame whose IP header says
 *   version 5, then a second SIP datagram. `replay --to udp://… --udp-mode ip-packet` to `live
 *   --udp … --udp-mode ip-packet`, compared with `replay`.
 * Was: the malformed record was not sent: offline malformed 1 with a report, live malformed 0.
 * Correct: live counts it malformed and reports it (in its own words: it received a datagram that
 *   is no IP packet) as the offline replay does the record: same summary, one malformed-input report each.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, setup } from './harness.js';
import { C4, ipv4, S4, udp, writeRecs } from './pkt.js';

const t = setup('r24-notip-');

it('a record whose IP header is not version 4 or 6 is malformed on both sides', async () => {
  const v5 = ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(2)));
  v5[0] = 0x55;
  const cap = await writeRecs(path.join(t.dir(), 'notip.pcap'), [
    { ts: 1.0, ip: ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(1))) },
    { ts: 1.1, ip: v5 },
    { ts: 1.2, ip: ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(3))) },
  ]);
  const off = await offlineOf(t.dir(), cap, 'notip', t.policy());
  expect(off.summary).toMatchObject({ sip: 2, malformed: 1 });
  const got = await liveOf(t.dir(), cap, 'notip', t.policy(), 'ip-packet');
  expect({ sent: got.sent, skipped: got.skipped }).toEqual({ sent: 3, skipped: 0 });
  expect({ ...got.summary, packets: 0 }).toEqual({ ...off.summary, packets: 0 });
  expect(got.reports.map((r) => r.type)).toEqual(off.reports.map((r) => r.type));
  expect(got.reports).toHaveLength(1);
}, 60_000);
