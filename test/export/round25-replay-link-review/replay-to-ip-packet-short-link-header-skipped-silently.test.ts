/**
 * Found by a review of replay --to's link-layer corners, fixed since: a record whose malformed link header nothing cut is counted, the first said in the offline report's words, their count at the end (src/sources/replay-sender.ts replayCapture sendIpPacket, skippedKind).
 * Input: an Ethernet capture, nothing cut by the snap length (every record's caplen == origlen):
 *   a UDP SIP datagram; a 10-byte Ethernet frame (a runt); an 802.1Q frame ending inside its VLAN
 *   tag; a PPPoE session frame ending inside its PPPoE header; an MPLS frame ending before its
 *   bottom label; a second SIP datagram. (Likewise a Linux SLL record of 12 bytes, a NULL record
 *   of 2.) `replay --to udp://… --udp-mode ip-packet` to `live --udp … --udp-mode ip-packet`,
 *   compared with the offline `replay`.
 * Was (observed): {sent 2, skipped 4}, stderr empty. Offline: malformed 4, four malformed-input
 *   reports ("Ethernet header cut short: 10 of 14 bytes", "VLAN tag cut short: 2 of 4 bytes",
 *   "PPPoE session header cut short: 4 of 8 bytes", "MPLS label stack cut short: 0 of 4 bytes");
 *   live: malformed 0, no report. sendIpPacket takes a MALFORMED link layer with nothing missing
 *   for "a record whose link layer carries no IP packet" (ARP) and counts it in skipped without a word.
 * Correct: README "replay --to" (and the brief): what the live side reads is what the offline
 *   replay reads, or the record is not sent and that is said on stderr — the first said, their
 *   count at the end — as for a snap-length cut or a mislabelled IP version. A datagram cannot
 *   carry a broken link header (there is no IP packet to send), so it must be said; an operator
 *   comparing live with offline otherwise finds four malformed-input reports missing unexplained.
 *   (The empty raw-IP record, where a datagram can carry it, is its own test.)
 * Fix: src/sources/replay-sender.ts replayCapture sendIpPacket: in the `found !== NETWORK` branch,
 *   a MALFORMED link layer (not linkHeaderCut, not the raw-IP case) is counted in skipped and the
 *   first said with file, byte, frame and linkError.error (the offline report's words) — "not
 *   sent, nor any other record whose link header is malformed (a datagram cannot carry it)" — and
 *   their count at the end, like `mislabelled`.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { liveOf, offlineOf, setup } from '../round24-replay-to-review/harness.js';
import { cat, link, offsetOf, writeLinkCap, type LinkRec } from '../round24-replay-to-final-review/linkcap.js';
import { MACS, sip4, u16 } from './local.js';

const t = setup('r25-shortlink-');

it('ip-packet: a record whose link header is genuinely short (nothing cut) is said, not dropped silently', async () => {
  const recs: LinkRec[] = [
    link.ethernet(sip4(1)),
    link.ethernet(sip4(2)).subarray(0, 10),
    link.vlan(sip4(3)).subarray(0, 16),
    link.pppoe(sip4(4)).subarray(0, 18),
    cat(MACS, u16(0x8847), [0x00, 0x01, 0x00, 0x40]),
    link.ethernet(sip4(5)),
  ].map((data, k) => ({ ts: 1 + k / 10, data }));
  const cap = await writeLinkCap(path.join(t.dir(), 'shortlink.pcap'), 1, recs);
  const off = await offlineOf(t.dir(), cap, 'shortlink', t.policy());
  expect(off.summary).toMatchObject({ sip: 2, malformed: 4 });
  const got = await liveOf(t.dir(), cap, 'shortlink', t.policy(), 'ip-packet');
  expect({ sent: got.sent, skipped: got.skipped }).toEqual({ sent: 2, skipped: 4 });
  // live reads none of the four offline reports: the sender must say so
  expect(got.summary.malformed).toBe(0);
  const err = got.stderr.trim().split('\n');
  expect(err[0]).toContain(`shortlink.pcap: at byte ${offsetOf(recs, 1)}: frame 2: Ethernet header cut short: 10 of 14 bytes`);
  expect(err.at(-1)).toMatch(/shortlink\.pcap: 4 .*\(counted in skipped\)$/);
}, 60_000);

it('ip-packet: the same for a Linux SLL record of 12 bytes and a NULL record of 2', async () => {
  for (const [name, lt, data] of [['sll', 113, link.sll(sip4(1)).subarray(0, 12)], ['null', 0, Uint8Array.from([2, 0])]] as const) {
    const recs: LinkRec[] = [{ ts: 1, data }];
    const cap = await writeLinkCap(path.join(t.dir(), `short-${name}.pcap`), lt, recs);
    const off = await offlineOf(t.dir(), cap, `short-${name}`, t.policy());
    expect(off.summary).toMatchObject({ malformed: 1 });
    const got = await liveOf(t.dir(), cap, `short-${name}`, t.policy(), 'ip-packet');
    expect(got.stderr).toContain(`short-${name}.pcap: at byte 24: frame 1: `);
  }
}, 60_000);
