/**
 * IPv6 fragments after hop-by-hop and routing headers, with a destination-options header inside
 * the fragmentable part; out of order with a duplicate. Control against tshark.
 */
import { describe, expect, it } from 'vitest';
import { buildIpv6Packet, buildUdpDatagram, IpProtocol, ipv6FragmentBody, parseIpv6, wrapEthernet } from '../../native-free/frame-builder.js';
import { concat, inspect, text, tsharkFields, writePcap } from './helpers.js';

const SIP = text(
  'MESSAGE sip:bob@[2001:db8::2] SIP/2.0\r\nVia: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK-6\r\nFrom: <sip:alice@[2001:db8::1]>;tag=a\r\nTo: <sip:bob@[2001:db8::2]>\r\nCall-ID: v6frag@x\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 400\r\n\r\n' + 'x'.repeat(400),
);

describe('IPv6 fragments behind extension headers', () => {
  it('control: reassembled out of order, duplicate ignored, as tshark', () => {
    const src = parseIpv6('2001:db8::1');
    const dst = parseIpv6('2001:db8::2');
    const udp = buildUdpDatagram(src, dst, 5060, 5060, SIP);
    // fragmentable part: destination options header (8 bytes, next = UDP) + UDP datagram
    const dstOpts = new Uint8Array(8);
    dstOpts[0] = IpProtocol.UDP;
    dstOpts[2] = 1; // PadN
    dstOpts[3] = 4;
    const part = concat(dstOpts, udp);
    const pieces = [0, 240, 480].map((off, k) => part.subarray(off, k === 2 ? part.length : off + 240));
    const frag = (k: number) => {
      const p = buildIpv6Packet({
        src, dst, protocol: IpProtocol.DEST_OPTS, payload: pieces[k]!,
        extensions: [{ type: IpProtocol.HOP_BY_HOP }, { type: IpProtocol.ROUTING, body: Uint8Array.of(0, 0, 0, 0, 0, 0) }, { type: IpProtocol.FRAGMENT, body: ipv6FragmentBody(k * 240, k < 2, 0xabcdef) }],
      });
      return wrapEthernet(0x86dd, p);
    };
    const file = writePcap('v6frag.pcap', 1, [
      { ts: 1700000000.1, data: frag(2) },
      { ts: 1700000000.2, data: frag(0) },
      { ts: 1700000000.3, data: frag(0) },
      { ts: 1700000000.4, data: frag(1) },
    ]);
    expect(tsharkFields(file, ['frame.number', 'sip.Call-ID'], ['-Y', 'sip'])).toEqual([['4', 'v6frag@x']]);
    const sip = inspect(file).filter((l) => l.proto === 'sip');
    expect(sip.map((l) => [l.frame, l.src, l.sport, l.sip[0].callId])).toEqual([[4, '2001:db8::1', 5060, 'v6frag@x']]);
  });
});
