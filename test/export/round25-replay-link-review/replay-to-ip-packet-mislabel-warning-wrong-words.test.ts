/**
 * Found by a review of replay --to's link-layer corners, fixed since: the mislabelled IP packet's warning takes the decoder's words, a snap cut's going with the snap cuts (src/sources/replay-sender.ts replayCapture sendIpPacket).
 * Input: an Ethernet capture, nothing cut: a UDP SIP datagram; a frame typed IPv4 (0x0800)
 *   holding 16 bytes that start with version nibble 6 (a runt's first bytes of an IPv6 packet); a
 *   second SIP datagram. `replay --to udp://… --udp-mode ip-packet`, compared with the offline `replay`.
 * Was (observed): {sent 2, skipped 1}; stderr "…: frame 2: IPv4 header with version 6: not sent,
 *   nor any other IP packet of another version than its link layer says". The offline replay's
 *   report of that record is "IPv4 header cut short: 16 of 20 bytes" — decodeIpv4Header checks the
 *   length before the version — so stderr names a report the offline replay never makes, and the
 *   operator looking for "version 6" in the offline reports finds nothing.
 * Correct: what stderr says of a record not sent is the offline replay's word on it (the mislabel
 *   warning reads "IPv4 header with version 6" precisely because that is the offline report, and
 *   the snap-cut warning takes the decoder's words where it has them, cutWords).
 * Fix: src/sources/replay-sender.ts replayCapture sendIpPacket: word the mislabelled warning from
 *   the decoder (decoder.decode(batch, i, view) → view.error, as cutWords does) rather than
 *   `IPv${says} header with version ${version}`.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { offlineOf, setup } from '../round24-replay-to-review/harness.js';
import { link, offsetOf, writeLinkCap, type LinkRec } from '../round24-replay-to-final-review/linkcap.js';
import { plain, sip4, sip6, toSocket } from './local.js';

const t = setup('r25-mislabel-words-');

it('ip-packet: the mislabel warning says the offline report, not a version the decoder never reached', async () => {
  const recs: LinkRec[] = [link.ethernet(sip4(1)), link.ethernet(sip6(2).subarray(0, 16), 0x0800), link.ethernet(sip4(3))].map((data, k) => ({ ts: 1 + k / 10, data }));
  const cap = await writeLinkCap(path.join(t.dir(), 'runt6.pcap'), 1, recs);
  const off = await offlineOf(t.dir(), cap, 'runt6', t.policy());
  expect(plain(off.reports)).toEqual(['malformed-input IPv4 header cut short: 16 of 20 bytes']);
  const r = await toSocket(cap, 'ip-packet', 2);
  expect(r.result).toEqual({ sent: 2, skipped: 1 });
  expect(r.lines[0]).toContain(`runt6.pcap: at byte ${offsetOf(recs, 1)}: frame 2: IPv4 header cut short: 16 of 20 bytes`);
}, 60_000);

it('ip-packet: the same runt cut by the snap length is said as a snap cut, in the offline words', async () => {
  const recs: LinkRec[] = [link.ethernet(sip4(1)), link.ethernet(sip6(2), 0x0800).subarray(0, 14 + 16), link.ethernet(sip4(3))].map((data, k) => ({ ts: 1 + k / 10, data }));
  recs[1]!.origLen = link.ethernet(sip6(2), 0x0800).length;
  const cap = await writeLinkCap(path.join(t.dir(), 'runt6cut.pcap'), 1, recs);
  const off = await offlineOf(t.dir(), cap, 'runt6cut', t.policy());
  expect(plain(off.reports)).toEqual(["malformed-input IPv4 header cut by the capture's snap length: 16 of 20 bytes"]);
  const r = await toSocket(cap, 'ip-packet', 2);
  expect(r.result).toEqual({ sent: 2, skipped: 1 });
  expect(r.lines[0]).toContain(`runt6cut.pcap: at byte ${offsetOf(recs, 1)}: frame 2: IPv4 header cut by the capture's snap length: 16 of 20 bytes: not sent, nor any other record the snap length cut`);
}, 60_000);
