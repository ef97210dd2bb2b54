/**
 * Found by a review of the packet layers against tshark, fixed since: an IPv4 fragment whose overlap agrees byte for byte with the held bytes adds only its new bytes (native-free/fragments.ts takeGaps); bytes that disagree, and any IPv6 overlap, still drop the set.
 *
 * Input: one IPv4 datagram (UDP, a 452-byte SIP OPTIONS, id 999) captured on both sides of a
 *   router that re-fragments it for a smaller MTU (a SPAN of both ports, or `tcpdump -i any` on the
 *   forwarding host): ingress fragments [0,320) MF and [320,452), egress fragments [0,160) MF,
 *   [160,320) MF and [320,452), interleaved as they cross the router: in[0,320), out[0,160),
 *   out[160,320), in[320,452), out[320,452). Every copy carries the datagram's own bytes.
 * Was: FragmentReassembler.add() takes out[0,160) as an overlap of [0,320) (not the exact same
 *   range) and drops the whole set: frame 2 is reported malformed ("fragment [0, 160) overlaps
 *   [0, 320)"), the rest start a new set that never completes, and the SIP message is lost. tshark
 *   reassembles it at frame 4 (Call-ID refrag@x).
 * Correct: SPEC §7 (IPv4 fragment reassembly): the datagram every receiver gets must be read. The
 *   module's reason for dropping overlaps ("overlaps are how evasion attacks make two readers see
 *   different payloads", fragments.ts header) does not hold when the overlapping bytes equal the
 *   ones held: no reader can see another payload; RFC 5722's drop rule is for IPv6 only (where
 *   routers never re-fragment). The module already absorbs exact duplicates from mirrored links;
 *   re-fragmented copies are the same case at another MTU.
 * Fix: native-free/fragments.ts add(): when a fragment overlaps held ranges and its bytes agree with
 *   the held bytes everywhere they overlap (IPv4 keys at least), keep the set: store only the new
 *   bytes and merge the ranges (so `received` stays the count of distinct bytes); drop only on a
 *   disagreement.
 */
import { describe, expect, it } from 'vitest';
import { buildIpv4Packet, buildUdpDatagram, parseIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { decodeAll } from '../../native-free/packet-helpers.js';
import { inspect, text, tsharkFields, writePcap, hasTshark } from '../helpers.js';


const s4 = parseIpv4('10.0.0.1');
const d4 = parseIpv4('10.0.0.2');
const msg =
  'OPTIONS sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKh\r\nFrom: <sip:a@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: refrag@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 240\r\n\r\n' +
  'x'.repeat(240);
const udp = buildUdpDatagram(s4, d4, 5060, 5060, text(msg));
const fragment = (from: number, to: number, ttl: number) =>
  wrapEthernet(0x800, buildIpv4Packet({ src: s4, dst: d4, protocol: 17, id: 999, ttl, payload: udp.subarray(from, to), fragmentOffset: from, moreFragments: to < udp.length }));
const END = udp.length;
// ingress (TTL 64) and egress (TTL 63, MTU for 160-byte fragments), as they cross the router
const RECORDS = [fragment(0, 320, 64), fragment(0, 160, 63), fragment(160, 320, 63), fragment(320, END, 64), fragment(320, END, 63)];
const file = () => writePcap('plr-refrag.pcap', 1, RECORDS.map((data, i) => ({ ts: 1700000000 + i * 0.0001, data })));

describe('an IPv4 datagram captured before and after a router re-fragments it', () => {
  it('setup: 452 bytes; tshark reassembles it at frame 4', () => {
    expect(END).toBe(452);
    if (hasTshark) expect(tsharkFields(file(), ['frame.number', 'sip.Call-ID'], ['-Y', 'sip'])).toEqual([['4', 'refrag@x']]);
  });

  it('the decoder reassembles it once, with its own bytes, and reports nothing malformed', () => {
    const { decoded, decoder } = decodeAll(RECORDS.map((data) => ({ data, linkType: 1 })));
    expect(decoded.filter((d) => d.kind === 'malformed').map((d) => d.error)).toEqual([]);
    const datagrams = decoded.filter((d) => d.kind === 'udp');
    expect(datagrams.map((d) => d.payload)).toEqual([msg]);
    expect(decoder.stats.fragmentOverlaps).toBe(0);
  });

  it('inspect shows the SIP message at the frame tshark names', () => {
    expect(inspect(file()).filter((l) => l.proto === 'sip').map((l) => [l.frame, l.sip[0].callId])).toEqual([[4, 'refrag@x']]);
  });
});
