import { describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../native-free/frame-builder.js';
import { LinkType } from '../../native-free/types.js';
import { concatBytes } from './capture-helpers.js';
import { decodeAll, text } from './packet-helpers.js';

const ip4 = buildEthernetIpv4Udp({ src: '192.0.2.1', dst: '198.51.100.2', sport: 5004, dport: 5005, payload: text('v4'), link: 'raw' });
const ip6 = buildIpv6Udp({ src: '2001:db8::1', dst: '2001:db8::2', sport: 6004, dport: 6005, payload: text('v6'), link: 'raw' });
const macs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]; // dst MAC, src MAC
const v4 = { kind: 'udp', src: '192.0.2.1', dst: '198.51.100.2', sport: 5004, dport: 5005, payload: 'v4' };
const v6 = { kind: 'udp', src: '2001:db8::1', dst: '2001:db8::2', sport: 6004, dport: 6005, payload: 'v6' };
const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

describe('link layers', () => {
  const cases: { name: string; linkType: number; data: Uint8Array; want: object }[] = [
    { name: 'Ethernet IPv4', linkType: LinkType.ETHERNET, data: concatBytes(b(...macs, 0x08, 0x00), ip4), want: v4 },
    { name: 'Ethernet IPv6', linkType: LinkType.ETHERNET, data: concatBytes(b(...macs, 0x86, 0xdd), ip6), want: v6 },
    {
      name: 'Ethernet 802.1Q',
      linkType: LinkType.ETHERNET,
      data: concatBytes(b(...macs, 0x81, 0x00, /* TCI vid 10 */ 0x00, 0x0a, 0x08, 0x00), ip4),
      want: v4,
    },
    {
      name: 'Ethernet 802.1ad + 802.1Q (QinQ)',
      linkType: LinkType.ETHERNET,
      data: concatBytes(b(...macs, 0x88, 0xa8, 0x00, 0x64, /* inner */ 0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd), ip6),
      want: v6,
    },
    {
      name: 'Ethernet legacy QinQ 0x9100',
      linkType: LinkType.ETHERNET,
      data: concatBytes(b(...macs, 0x91, 0x00, 0x00, 0x64, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00), ip4),
      want: v4,
    },
    { name: 'Ethernet ARP', linkType: LinkType.ETHERNET, data: concatBytes(b(...macs, 0x08, 0x06), new Uint8Array(28)), want: { kind: 'other' } },
    { name: 'Ethernet 802.3 length field', linkType: LinkType.ETHERNET, data: concatBytes(b(...macs, 0x00, 0x30), new Uint8Array(48)), want: { kind: 'other' } },
    // RFC 1042: IP in 802.3 frames with LLC/SNAP (tshark reads them as IP; was: not read)
    { name: 'Ethernet 802.3 LLC/SNAP IPv4 (RFC 1042)', linkType: LinkType.ETHERNET, data: concatBytes(b(...macs, 0x00, 8 + ip4.length, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00), ip4), want: v4 },
    { name: 'Ethernet 802.3 LLC/SNAP 802.1H IPv6 after a VLAN tag', linkType: LinkType.ETHERNET, data: concatBytes(b(...macs, 0x81, 0x00, 0x00, 0x0a, 0x00, 8 + ip6.length, 0xaa, 0xaa, 0x03, 0, 0, 0xf8, 0x86, 0xdd), ip6), want: v6 },
    { name: 'Ethernet 802.3 LLC, not SNAP (STP)', linkType: LinkType.ETHERNET, data: concatBytes(b(...macs, 0x00, 0x26, 0x42, 0x42, 0x03), new Uint8Array(35)), want: { kind: 'other' } },
    { name: 'Ethernet 802.3 SNAP of another OUI (Cisco CDP)', linkType: LinkType.ETHERNET, data: concatBytes(b(...macs, 0x00, 0x30, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00), new Uint8Array(40)), want: { kind: 'other' } },
    { name: 'Ethernet 802.3 SNAP cut short', linkType: LinkType.ETHERNET, data: b(...macs, 0x00, 0x05, 0xaa, 0xaa, 0x03, 0, 0), want: { kind: 'other' } },
    {
      name: 'Linux SLL',
      linkType: LinkType.LINUX_SLL,
      data: concatBytes(b(/* pkttype */ 0, 0, /* ARPHRD_ETHER */ 0, 1, /* addr len */ 0, 6, /* addr */ 1, 2, 3, 4, 5, 6, 0, 0, /* protocol */ 0x08, 0x00), ip4),
      want: v4,
    },
    {
      name: 'Linux SLL with a VLAN tag',
      linkType: LinkType.LINUX_SLL,
      data: concatBytes(b(0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x81, 0x00, /* TCI */ 0, 5, 0x86, 0xdd), ip6),
      want: v6,
    },
    {
      name: 'Linux SLL2',
      linkType: LinkType.LINUX_SLL2,
      data: concatBytes(b(/* protocol */ 0x86, 0xdd, /* reserved */ 0, 0, /* ifindex */ 0, 0, 0, 2, /* ARPHRD */ 0, 1, /* pkttype */ 4, /* addr len */ 6, 1, 2, 3, 4, 5, 6, 0, 0), ip6),
      want: v6,
    },
    { name: 'raw (101) IPv4', linkType: LinkType.RAW, data: ip4, want: v4 },
    { name: 'raw (101) IPv6', linkType: LinkType.RAW, data: ip6, want: v6 },
    { name: 'IPv4 (228)', linkType: LinkType.IPV4, data: ip4, want: v4 },
    { name: 'IPv6 (229)', linkType: LinkType.IPV6, data: ip6, want: v6 },
    { name: 'NULL, little-endian AF_INET', linkType: LinkType.NULL, data: concatBytes(b(2, 0, 0, 0), ip4), want: v4 },
    { name: 'NULL, big-endian AF_INET', linkType: LinkType.NULL, data: concatBytes(b(0, 0, 0, 2), ip4), want: v4 },
    { name: 'NULL, AF_INET6 24 (NetBSD/OpenBSD)', linkType: LinkType.NULL, data: concatBytes(b(24, 0, 0, 0), ip6), want: v6 },
    { name: 'NULL, AF_INET6 28 (FreeBSD)', linkType: LinkType.NULL, data: concatBytes(b(28, 0, 0, 0), ip6), want: v6 },
    { name: 'NULL, AF_INET6 30 (Darwin), big-endian', linkType: LinkType.NULL, data: concatBytes(b(0, 0, 0, 30), ip6), want: v6 },
    { name: 'NULL, unknown family', linkType: LinkType.NULL, data: concatBytes(b(7, 0, 0, 0), ip4), want: { kind: 'other' } },
    { name: 'LOOP, AF_INET (network order)', linkType: LinkType.LOOP, data: concatBytes(b(0, 0, 0, 2), ip4), want: v4 },
    { name: 'LOOP, AF_INET6 24', linkType: LinkType.LOOP, data: concatBytes(b(0, 0, 0, 24), ip6), want: v6 },
    { name: 'unknown link type', linkType: 147, data: ip4, want: { kind: 'other' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(decodeAll([{ data: c.data, linkType: c.linkType }]).decoded[0]).toMatchObject(c.want);
    });
  }
});

describe('link layers: a link type not read', () => {
  it('is counted by link type, apart from frames that carry something else than IP', () => {
    const arp = concatBytes(b(...macs, 0x08, 0x06), new Uint8Array(28));
    const { decoded, decoder } = decodeAll([
      { data: ip4, linkType: 147 },
      { data: arp, linkType: LinkType.ETHERNET },
      { data: ip4, linkType: 105 },
      { data: concatBytes(b(7, 0, 0, 0), ip4), linkType: LinkType.NULL },
      { data: ip4, linkType: 147 },
      { data: ip4, linkType: LinkType.RAW },
    ]);
    expect(decoded.map((d) => d.kind)).toEqual(['other', 'other', 'other', 'other', 'other', 'udp']);
    expect(decoder.stats.other).toBe(5);
    expect([...decoder.stats.unsupportedLinkTypes]).toEqual([
      [147, 2],
      [105, 1],
    ]);
  });
});

describe('link layers: malformed', () => {
  const cases: { name: string; linkType: number; data: Uint8Array; error: string; offset: number }[] = [
    { name: 'Ethernet of 13 bytes', linkType: LinkType.ETHERNET, data: new Uint8Array(13), error: 'Ethernet header cut short: 13 of 14 bytes', offset: 0 },
    { name: 'VLAN tag cut after 2 bytes', linkType: LinkType.ETHERNET, data: b(...macs, 0x81, 0x00, 0x00, 0x0a), error: 'VLAN tag cut short: 2 of 4 bytes', offset: 14 },
    { name: 'SLL of 15 bytes', linkType: LinkType.LINUX_SLL, data: new Uint8Array(15), error: 'Linux cooked (SLL) header cut short: 15 of 16 bytes', offset: 0 },
    { name: 'SLL2 of 19 bytes', linkType: LinkType.LINUX_SLL2, data: new Uint8Array(19), error: 'Linux cooked (SLL2) header cut short: 19 of 20 bytes', offset: 0 },
    { name: 'NULL of 3 bytes', linkType: LinkType.NULL, data: b(2, 0, 0), error: 'loopback header cut short: 3 of 4 bytes', offset: 0 },
    { name: 'LOOP of 2 bytes', linkType: LinkType.LOOP, data: b(0, 0), error: 'loopback header cut short: 2 of 4 bytes', offset: 0 },
    { name: 'raw, empty', linkType: LinkType.RAW, data: b(), error: 'raw IP record is empty', offset: 0 },
    { name: 'raw, version 5', linkType: LinkType.RAW, data: b(0x50, 0, 0, 0), error: 'raw IP record with IP version 5', offset: 0 },
  ];
  for (const c of cases) {
    it(`${c.name} → "${c.error}" at ${c.offset}`, () => {
      const { decoded, decoder } = decodeAll([{ data: c.data, linkType: c.linkType }]);
      expect(decoded[0]).toMatchObject({ kind: 'malformed', error: c.error, errorOffset: c.offset });
      expect(decoder.stats.malformed).toBe(1);
    });
  }
});
