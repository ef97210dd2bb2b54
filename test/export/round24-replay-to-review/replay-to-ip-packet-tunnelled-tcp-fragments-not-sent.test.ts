/**
 * Found by a review of ce80d19/8e7e3d7 (replay --to's fixes), fixed since: ip-packet mode sends every record's IP packet as captured, tunnels and their fragments included (src/sources/replay-sender.ts replayCapture sendIpPacket; tcpFragment removed).
 * Input: SIP over TCP mirrored in GRE (RFC 2784, as an ERSPAN/GRE tap delivers it): OPTIONS #1's
 *   segment in a GRE packet that was IP-fragmented on the way (the outer IPv4 packet, protocol
 *   47, in fragments of 128 bytes) — and, in the second capture, an inner TCP segment that was
 *   fragmented before it entered the tunnel (each inner IPv4 fragment in a whole GRE packet) —
 *   then OPTIONS #2 in one whole GRE packet. `replay --to udp://… --udp-mode ip-packet` to
 *   `live --udp … --udp-mode ip-packet` (which decodes tunnels as the offline replay does),
 *   compared with `replay`.
 * Was (observed): tcpFragment() looks at the outer IP header only (protocol 6 for IPv4): an outer
 *   fragment of a GRE packet (protocol 47) or a whole GRE packet carrying an inner fragment is
 *   not taken for a TCP segment's fragment and is skipped; only the record completing the segment
 *   goes. Live: #1 lost, "IPv4 fragments of id 17219 never completed" (live sip 1, malformed 1;
 *   offline sip 2, no report), sent 2, skipped 1, nothing on stderr — in both captures.
 * Correct: README "replay --to": live --udp-mode ip-packet reads what replay --to sends as the
 *   offline replay reads the capture; a TCP segment "in IP fragments as its fragments" — the
 *   decoder follows tunnels (packet-decoder decodeIp) and reassembles at every level.
 * Fix: src/sources/replay-sender.ts replayCapture (ip-packet branch) / tcpFragment: take a held
 *   record ('pending' without a flow key) for a possible TCP segment's fragment whatever protocol
 *   its outer header names, unless it is known to be a UDP datagram's that is not a tunnel's (or
 *   have PacketDecoder say which set the held fragment joined and what the set carries).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, reading, setup } from './harness.js';
import { C4, gre, ipv4, ipv4Fragments, S4, tcp, tcp4, writeRecs } from './pkt.js';

const t = setup('r24-gre-');
const [m1, m2] = [sipMsg(1), sipMsg(2)];
const G1 = [192, 168, 0, 1], G2 = [192, 168, 0, 2];
const s1 = tcp({ from: 'client', seq: 1000, ack: 9000, payload: m1 });
const last = () => ({ ts: 1.1, ip: ipv4(G1, G2, 47, gre(tcp4({ from: 'client', seq: 1000 + m1.length, ack: 9000, payload: m2 }))) });

const cases: [string, Uint8Array[]][] = [
  ['outer', ipv4Fragments(G1, G2, 47, gre(ipv4(C4, S4, 6, s1, 0x99)), 128)],
  ['inner', ipv4Fragments(C4, S4, 6, s1, 128).map((inner) => ipv4(G1, G2, 47, gre(inner)))],
];
for (const [name, packets] of cases) {
  it(`a TCP segment in GRE, ${name} IP fragments, reaches live whole`, async () => {
    const cap = await writeRecs(path.join(t.dir(), `${name}.pcap`), [...packets.map((ip, k) => ({ ts: 1 + k / 100, ip })), last()]);
    const off = await offlineOf(t.dir(), cap, name, t.policy());
    expect(off.summary).toMatchObject({ sip: 2, malformed: 0 });
    const got = await liveOf(t.dir(), cap, name, t.policy(), 'ip-packet');
    expect(reading(got)).toEqual(reading(off));
  }, 60_000);
}
