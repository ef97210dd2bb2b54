/**
 * Found by a review of the packet layers against tshark, fixed since: a last fragment whose end falls before a range already held drops the set, as a fragment past the end after it does (native-free/fragments.ts add): no datagram with a hole is handed on.
 *
 * Input: the IPv4 fragments of one 480-byte UDP datagram (a SIP OPTIONS, id 4242) captured in the
 *   order [0,160) MF, then a stray fragment of the same key at [480,640) MF (160 bytes of 'A': an
 *   older datagram's, or crafted), then the last fragment [320,480), then [160,320) MF.
 * Was: FragmentReassembler.add() takes the stray range before the datagram's end is known; when the
 *   last fragment sets the end to 480 it does not look back at that range, and the sum of received
 *   bytes (160 + 160 + 160) equals 480, so the set "completes" at frame 3 with [160,320) never
 *   received (zeros): a SIP message with 160 NUL bytes is parsed (callId null, errors) at frame 3,
 *   and the real [160,320) fragment at frame 4 opens a new set that never completes. tshark
 *   reassembles the datagram at frame 4 and shows Call-ID hole@x.
 * Correct: RFC 791 §3.2 / RFC 8200 §4.5: a datagram is complete only when every byte of
 *   [0, total) has been received; fragments.ts's own comment says "Disjoint ranges inside
 *   [0, total) summing to total cover it all", and a fragment past the datagram's end is refused
 *   when it comes after the last one. No datagram made of bytes that were never received may be
 *   handed on (SPEC §7 fragment reassembly).
 * Fix: native-free/fragments.ts add(): when a last fragment sets `total`, drop (or discard) the
 *   ranges already held that end past it (subtracting them from `received`), as the later-arriving
 *   case is handled, so `received === total` again implies [0, total) is covered.
 */
import { describe, expect, it } from 'vitest';
import { buildIpv4Packet, buildUdpDatagram, parseIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { decodeAll } from '../../native-free/packet-helpers.js';
import { inspect, text, tsharkFields, writePcap, hasTshark } from '../helpers.js';


const s4 = parseIpv4('10.0.0.1');
const d4 = parseIpv4('10.0.0.2');
const head =
  'OPTIONS sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKh\r\nFrom: <sip:a@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: hole@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: ';
let msg = '';
for (let pad = 0; pad < 400; pad++) {
  msg = `${head}${pad}\r\n\r\n${'x'.repeat(pad)}`;
  if (msg.length + 8 === 480) break;
}
const udp = buildUdpDatagram(s4, d4, 5060, 5060, text(msg));
const frag = (off: number, data: Uint8Array, mf: boolean) =>
  wrapEthernet(0x800, buildIpv4Packet({ src: s4, dst: d4, protocol: 17, id: 4242, payload: data, fragmentOffset: off, moreFragments: mf }));
const RECORDS = [
  frag(0, udp.subarray(0, 160), true),
  frag(480, new Uint8Array(160).fill(0x41), true),
  frag(320, udp.subarray(320), false),
  frag(160, udp.subarray(160, 320), true),
];

describe('a fragment past the datagram end, held before the last fragment arrived', () => {
  it('setup: the datagram is 480 bytes, and tshark reassembles it at frame 4 only', () => {
    expect(udp.length).toBe(480);
    if (!hasTshark) return;
    const file = writePcap('plr-frag-hole.pcap', 1, RECORDS.map((data, i) => ({ ts: 1700000000 + i * 0.01, data })));
    expect(tsharkFields(file, ['frame.number', 'sip.Call-ID'], ['-Y', 'sip'])).toEqual([['4', 'hole@x']]);
  });

  it('the decoder never hands on a datagram with bytes it did not receive', () => {
    const { decoded } = decodeAll(RECORDS.map((data) => ({ data, linkType: 1 })));
    // frame 3 must not complete the set: [160,320) has not arrived yet
    expect(decoded[2]!.kind).not.toBe('udp');
    for (const d of decoded) if (d.kind === 'udp') expect(d.payload).toBe(msg);
  });

  it('inspect prints no SIP message made of a hole at frame 3', () => {
    const file = writePcap('plr-frag-hole.pcap', 1, RECORDS.map((data, i) => ({ ts: 1700000000 + i * 0.01, data })));
    const sip = inspect(file).filter((l) => l.proto === 'sip');
    for (const l of sip) expect(l.sip[0].callId).toBe('hole@x');
    expect(sip.filter((l) => l.frame === 3)).toEqual([]);
  });
});
