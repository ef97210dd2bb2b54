/**
 * Found by a review of ce80d19/8e7e3d7 (replay --to's fixes), fixed since: ip-packet mode sends every record's IP packet as captured, a fragment the decoder rejects included (src/sources/replay-sender.ts replayCapture sendIpPacket).
 * Input: SIP over TCP over IPv4: OPTIONS #1's segment in four fragments of 64 bytes, the second
 *   one captured twice, the copy with one byte that differs (an overlap that disagrees: RFC 5722
 *   and fragments.ts drop the whole set — how an evasion makes two readers see different bytes),
 *   then the third and fourth fragments, then OPTIONS #2 whole. `replay --to udp://… --udp-mode
 *   ip-packet` to `live --udp … --udp-mode ip-packet`, compared with `replay`.
 * Was (observed): offline the copy drops the set ("fragment [64, 128) overlaps [64, 128)"), the
 *   last two fragments start a set that never completes: sip 1, two reports. The sender sends the
 *   held fragments but not the conflicting copy (decoded 'malformed', not a snap-length cut:
 *   skipped), so live completes the set from the first copy and reads #1: live sip 2, no report —
 *   live reads a message the offline replay refused, the opposite of what the drop is for.
 * Correct: README "replay --to": live --udp-mode ip-packet reads what replay --to sends as the
 *   offline replay reads the capture; a TCP segment in IP fragments goes "as its fragments" —
 *   all of them, the one the decoder rejects included, so the live decoder rejects it too.
 * Fix: src/sources/replay-sender.ts replayCapture: in ip-packet mode a record decoded 'malformed'
 *   that is an IP fragment (tcpFragment, or any fragment of a set not known to be UDP) goes as
 *   its captured IP packet, as the held ones do. (Checked: with every record's IP packet sent,
 *   live's reports equal offline's but for "at byte N of the record", which counts the link
 *   header offline — left out of the comparison.)
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, reading, setup } from './harness.js';
import { C4, ipv4Fragments, S4, tcp, tcp4, writeRecs } from './pkt.js';

const t = setup('r24-overlap-');

it('a fragment that conflicts with one held is sent in ip-packet mode: live drops the set as offline', async () => {
  const [m1, m2] = [sipMsg(1), sipMsg(2)];
  const f = ipv4Fragments(C4, S4, 6, tcp({ from: 'client', seq: 1000, ack: 9000, payload: m1 }), 64, 0x6161);
  const copy = new Uint8Array(f[1]!);
  copy[30] = copy[30]! ^ 0xff; // a payload byte (the checksum is not checked)
  const cap = await writeRecs(path.join(t.dir(), 'overlap.pcap'), [
    ...[f[0]!, f[1]!, copy, f[2]!, f[3]!].map((ip, k) => ({ ts: 1 + k / 100, ip })),
    { ts: 1.1, ip: tcp4({ from: 'client', seq: 1000 + m1.length, ack: 9000, payload: m2 }) },
  ]);
  const off = await offlineOf(t.dir(), cap, 'overlap', t.policy());
  expect(off.summary).toMatchObject({ sip: 1, malformed: 2 });
  const got = await liveOf(t.dir(), cap, 'overlap', t.policy(), 'ip-packet');
  // (a record live receives is the IP packet, without the capture's 14-byte Ethernet header: "at byte N of the record" aside)
  const noAt = (r: ReturnType<typeof reading>) => ({ ...r, reports: r.reports.map((l) => l.replace(/ at byte \d+ of the record/, '')) });
  expect(noAt(reading(got))).toEqual(noAt(reading(off)));
}, 60_000);
