/**
 * Found by a review of 448282a (replay --to's rewrite), fixed since: an IP packet of another version than its link layer says is not sent: counted in skipped, the first said, their count at the end (src/sources/replay-sender.ts replayCapture sendIpPacket).
 * Input: an Ethernet capture: a UDP SIP datagram (IPv4); an IPv6 UDP SIP packet in a frame whose
 *   EtherType says IPv4 (0x0800); an IPv4 UDP SIP packet in a frame whose EtherType says IPv6
 *   (0x86DD) — mislabelled frames, as a broken tap or an evasion makes them. `replay --to udp://…
 *   --udp-mode ip-packet` to `live --udp … --udp-mode ip-packet`, compared with the offline `replay`.
 *   (The same with LINKTYPE_IPV4 (228) holding an IPv6 packet.)
 * Was (observed): every IP packet is sent as captured ({sent 3, skipped 0}, stderr empty). Offline
 *   the link layer's word decides the IP version: "IPv4 header with version 6", "IPv6 header with
 *   version 4" — sip 1, malformed 2. The datagram cannot carry the EtherType: live reads each
 *   packet by its version nibble and reads both messages — live sip 3, malformed 0, no report.
 *   Live reads SIP the offline replay refused.
 * Correct: README "replay --to": ip-packet mode is there so "the live side reads what the offline
 *   replay reads"; where it cannot (a datagram cannot say what the link layer said), what is not
 *   sent is said on stderr and counted in skipped, as for a snap-length cut — never a message
 *   offline refused read live.
 * Fix: src/sources/replay-sender.ts replayCapture sendIpPacket: when the version nibble of the IP
 *   packet disagrees with link.etherType (ETHERTYPE_IPV4 with a nibble other than 4, ETHERTYPE_IPV6
 *   with one other than 6, but for a nibble neither 4 nor 6, which live already reports), do not
 *   send it: count it in skipped, say the first (file, byte, frame, the decoder's words), the count
 *   at the end.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, setup } from '../round24-replay-to-review/harness.js';
import { C4, C6, ipv4, ipv6, S4, S6, udp } from '../round24-replay-to-review/pkt.js';
import { link, offsetOf, writeLinkCap, type LinkRec } from './linkcap.js';

const t = setup('bu-mislabel-');

it('an IP packet whose version disagrees with its EtherType is not read live where offline refuses it', async () => {
  const recs: LinkRec[] = [
    { ts: 1.0, data: link.ethernet(ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(1)))) },
    { ts: 1.1, data: link.ethernet(ipv6(C6, S6, [], 17, udp(5060, 5060, sipMsg(2))), 0x0800) },
    { ts: 1.2, data: link.ethernet(ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(3))), 0x86dd) },
  ];
  const cap = await writeLinkCap(path.join(t.dir(), 'mislabel.pcap'), 1, recs);
  const off = await offlineOf(t.dir(), cap, 'mislabel', t.policy());
  expect(off.summary).toMatchObject({ sip: 1, malformed: 2 });
  const got = await liveOf(t.dir(), cap, 'mislabel', t.policy(), 'ip-packet');
  expect(got.sent + got.skipped).toBe(recs.length);
  // live reads no SIP message the offline replay refused
  expect(got.summary.sip).toBe(off.summary.sip);
  // and what it cannot send is said, the first with its byte and frame
  expect(got.stderr).toContain(`mislabel.pcap: at byte ${offsetOf(recs, 1)}: frame 2: `);
}, 60_000);

it('LINKTYPE_IPV4 holding an IPv6 packet: the same', async () => {
  const recs: LinkRec[] = [
    { ts: 1.0, data: ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(1))) },
    { ts: 1.1, data: ipv6(C6, S6, [], 17, udp(5060, 5060, sipMsg(2))) },
  ];
  const cap = await writeLinkCap(path.join(t.dir(), 'lt228.pcap'), 228, recs);
  const off = await offlineOf(t.dir(), cap, 'lt228', t.policy());
  expect(off.summary).toMatchObject({ sip: 1, malformed: 1 });
  const got = await liveOf(t.dir(), cap, 'lt228', t.policy(), 'ip-packet');
  expect(got.summary.sip).toBe(off.summary.sip);
  expect(got.stderr).toContain(`lt228.pcap: at byte ${offsetOf(recs, 1)}: frame 2: `);
}, 60_000);
