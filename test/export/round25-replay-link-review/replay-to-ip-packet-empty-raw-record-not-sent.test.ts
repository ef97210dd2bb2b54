/**
 * Found by a review of replay --to's link-layer corners, fixed since: an empty raw-IP record nothing cut goes as an empty datagram, as a raw record of no IP version does (src/sources/replay-sender.ts replayCapture sendIpPacket).
 * Input: a LINKTYPE_RAW (101) capture: a UDP SIP datagram; an empty record (caplen 0, origlen 0 —
 *   nothing cut: a writer's empty record, as a raw tunnel interface's capture can hold); a second
 *   SIP datagram. `replay --to udp://… --udp-mode ip-packet` to `live --udp … --udp-mode
 *   ip-packet`, compared with the offline `replay`.
 * Was (observed): {sent 2, skipped 1}, stderr empty. Offline: malformed 1, one malformed-input
 *   report ("raw IP record is empty"); live: malformed 0, no report. sendIpPacket's raw-IP branch
 *   sends a raw record of no IP version as captured only when `end > start`; the empty one falls
 *   to the "no IP packet" branch and is dropped without a word.
 * Correct: 448282a's rule for raw-IP records (round24-final-review
 *   replay-to-ip-packet-raw-record-bad-version-not-sent): "the record is the packet, sent as
 *   captured (the live side reports it malformed, as the offline replay does)". An empty datagram
 *   is sendable, and udp-listener counts and reports it malformed ("datagram of 0 bytes is not an
 *   IP packet") — as it already does for an Ethernet frame typed IPv4 with nothing after its header,
 *   which the sender does send. Live then agrees with offline: malformed 1, one report.
 * Fix: src/sources/replay-sender.ts replayCapture sendIpPacket: the raw-IP branch without
 *   `&& end > start` (and linkHeaderCut already keeps out an empty record whose bytes the snap
 *   length cut), so the empty record goes as an empty datagram.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { liveOf, offlineOf, reading, setup } from '../round24-replay-to-review/harness.js';
import { writeLinkCap } from '../round24-replay-to-final-review/linkcap.js';
import { sip4 } from './local.js';

const t = setup('r25-rawempty-');

it('ip-packet: an empty raw-IP record (nothing cut) goes as an empty datagram; live counts it malformed as offline does', async () => {
  const cap = await writeLinkCap(path.join(t.dir(), 'rawempty.pcap'), 101, [
    { ts: 1.0, data: sip4(1) },
    { ts: 1.1, data: new Uint8Array(0) },
    { ts: 1.2, data: sip4(3) },
  ]);
  const off = await offlineOf(t.dir(), cap, 'rawempty', t.policy());
  expect(off.summary).toMatchObject({ sip: 2, malformed: 1 });
  const got = await liveOf(t.dir(), cap, 'rawempty', t.policy(), 'ip-packet');
  expect({ sent: got.sent, skipped: got.skipped }).toEqual({ sent: 3, skipped: 0 });
  expect(reading(got).summary).toEqual(reading(off).summary);
  expect(got.reports).toHaveLength(1);
}, 60_000);
