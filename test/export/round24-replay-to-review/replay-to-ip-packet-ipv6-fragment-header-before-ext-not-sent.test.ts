/**
 * Found by a review of ce80d19/8e7e3d7 (replay --to's fixes), fixed since: ip-packet mode sends every record's IP packet as captured, every IP fragment included (src/sources/replay-sender.ts replayCapture sendIpPacket; tcpFragment removed).
 * Input: SIP over TCP over IPv6 where OPTIONS #1's segment went in IPv6 fragments whose
 *   fragmentable part starts with an extension header — a destination options header (RFC 8200
 *   §4.1's order: Fragment, then Destination Options, then the upper layer) in one capture, an
 *   authentication header (IPsec AH in transport mode, RFC 4302: AH follows the fragment header)
 *   in the other — then OPTIONS #2 in one unfragmented segment. `replay --to udp://…
 *   --udp-mode ip-packet` to `live --udp … --udp-mode ip-packet`, compared with `replay`.
 * Was (observed): every fragment's fragment header names 60 (or 51) as its next header, so
 *   tcpFragment() (ipv6.protocol === 6) does not take them for a TCP segment's fragments: all but
 *   the record completing the segment are skipped, and that one (the last fragment) goes alone.
 *   Live never completes the set: #1 is lost, reported "IPv6 fragments of id 1911 never completed
 *   (110 bytes held)" (live sip 1, malformed 1; offline sip 2, malformed 0, no report);
 *   `sent` 2, `skipped` 1, stderr empty.
 * Correct: README "replay --to": live --udp-mode ip-packet reads what replay --to sends as the
 *   offline replay reads the capture; ce80d19/8e7e3d7: a segment in IP fragments goes as its
 *   fragments, "a fragment … recognised as the decoder recognises it". The decoder takes the
 *   offset-0 fragment's next header and walks the reassembled part's extension headers to TCP.
 * Fix: src/sources/replay-sender.ts tcpFragment: an IPv6 fragment is a TCP segment's when the
 *   set turns out TCP — simplest, send every IPv6/IPv4 fragment record the decoder holds
 *   ('pending' without a flow key) whose set is not known to be UDP (the completed UDP datagram
 *   goes as a fresh packet anyway: skip a fragment whose first fragment names UDP), or walk the
 *   offset-0 fragment's fragmentable part (walkIpv6Extensions from payloadOffset) to its upper layer.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, reading, setup } from './harness.js';
import { C6, ipv6, ipv6Fragments, S6, tcp, writeRecs, type Ext } from './pkt.js';

const t = setup('r24-v6ext-');
const [m1, m2] = [sipMsg(1), sipMsg(2)];

for (const [name, ext] of [['dstopts', 60], ['ah', 51]] as [string, Ext][]) {
  it(`a TCP segment in IPv6 fragments with ${name} after the fragment header reaches live whole`, async () => {
    const s1 = tcp({ from: 'client', seq: 1000, ack: 9000, payload: m1 });
    const s2 = tcp({ from: 'client', seq: 1000 + m1.length, ack: 9000, payload: m2 });
    const cap = await writeRecs(path.join(t.dir(), `${name}.pcap`), [
      ...ipv6Fragments(C6, S6, [], [ext], 6, s1, 128).map((ip, k) => ({ ts: 1 + k / 100, ip })),
      { ts: 1.1, ip: ipv6(C6, S6, [], 6, s2) },
    ]);
    const off = await offlineOf(t.dir(), cap, name, t.policy());
    expect(off.summary).toMatchObject({ sip: 2, malformed: 0 });
    const got = await liveOf(t.dir(), cap, name, t.policy(), 'ip-packet');
    expect(reading(got)).toEqual(reading(off));
  }, 60_000);
}
