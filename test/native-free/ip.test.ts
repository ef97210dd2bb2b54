import { describe, expect, it } from 'vitest';
import {
  buildIpv4Packet,
  buildIpv6Packet,
  buildTcpSegment,
  buildUdpDatagram,
  IpProtocol,
  parseIpv4,
  parseIpv6,
} from '../../native-free/frame-builder.js';
import { formatIpv6 } from '../../native-free/ipv6.js';
import { LinkType } from '../../native-free/types.js';
import { decodeAll, text } from './packet-helpers.js';

const A4 = '192.0.2.1';
const B4 = '198.51.100.2';
const A6 = '2001:db8::1';
const B6 = '2001:db8::2';
const udp4 = (payload: string) => buildUdpDatagram(parseIpv4(A4), parseIpv4(B4), 1000, 2000, text(payload));
const udp6 = (payload: string) => buildUdpDatagram(parseIpv6(A6), parseIpv6(B6), 1000, 2000, text(payload));
const raw = (data: Uint8Array) => ({ data, linkType: LinkType.RAW });
const decodeOne = (data: Uint8Array) => decodeAll([raw(data)]).decoded[0]!;
const patched = (data: Uint8Array, at: number, ...values: number[]): Uint8Array => {
  const copy = data.slice();
  copy.set(values, at);
  return copy;
};

describe('IPv4', () => {
  it('skips options (IHL 7)', () => {
    const p = buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.UDP, payload: udp4('opt'), options: Uint8Array.of(0x94, 4, 0, 0, 1, 1, 1, 0) });
    expect(p[0]).toBe(0x47);
    expect(decodeOne(p)).toMatchObject({ kind: 'udp', src: A4, dst: B4, payload: 'opt' });
  });

  it('ignores Ethernet padding after the total length', () => {
    const p = buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.UDP, payload: udp4('x') });
    const padded = new Uint8Array(p.length + 10);
    padded.set(p);
    expect(decodeOne(padded)).toMatchObject({ kind: 'udp', payload: 'x' });
  });

  it('takes the captured length when segmentation offload left total length 0', () => {
    const p = buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.UDP, payload: udp4('tso'), totalLengthOverride: 0 });
    expect(decodeOne(p)).toMatchObject({ kind: 'udp', payload: 'tso' });
  });

  it('other protocols (ICMP) are "other"', () => {
    expect(decodeOne(buildIpv4Packet({ src: A4, dst: B4, protocol: 1, payload: new Uint8Array(8) })).kind).toBe('other');
  });

  const good = buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.UDP, payload: udp4('abc') }); // 20 + 8 + 3
  const cases: { name: string; data: Uint8Array; error: string; offset: number; linkType?: number }[] = [
    { name: 'header of 19 bytes', data: good.subarray(0, 19), error: 'IPv4 header cut short: 19 of 20 bytes', offset: 0 },
    { name: 'version 6 nibble under link type IPV4', data: patched(good, 0, 0x65), error: 'IPv4 header with version 6', offset: 0, linkType: LinkType.IPV4 },
    { name: 'IHL 4', data: patched(good, 0, 0x44), error: 'IPv4 header length 16 below 20', offset: 0 },
    { name: 'IHL 15 beyond the record', data: patched(good, 0, 0x4f), error: 'IPv4 header length 60 exceeds the 31 bytes captured', offset: 0 },
    { name: 'total length 19', data: patched(good, 2, 0, 19), error: 'IPv4 total length 19 below header length 20', offset: 2 },
    { name: 'total length past the capture', data: patched(good, 2, 0, 40), error: 'IPv4 total length 40 exceeds the 31 bytes captured', offset: 2 },
    { name: 'UDP of 7 bytes', data: buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.UDP, payload: new Uint8Array(7) }), error: 'UDP header cut short: 7 of 8 bytes', offset: 20 },
    { name: 'UDP length 7', data: patched(good, 24, 0, 7), error: 'UDP length 7 below 8', offset: 24 },
    { name: 'UDP length past the IP payload', data: patched(good, 24, 0, 12), error: 'UDP length 12 exceeds the 11 bytes of the IP payload', offset: 24 },
    {
      name: 'TCP of 19 bytes',
      data: buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.TCP, payload: new Uint8Array(19) }),
      error: 'TCP header cut short: 19 of 20 bytes',
      offset: 20,
    },
    {
      name: 'TCP data offset 4',
      data: buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.TCP, payload: patched(new Uint8Array(20), 12, 0x40) }),
      error: 'TCP data offset 16 below 20',
      offset: 32,
    },
    {
      name: 'TCP data offset past the IP payload',
      data: buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.TCP, payload: patched(new Uint8Array(20), 12, 0x60) }),
      error: 'TCP data offset 24 exceeds the 20 bytes of the IP payload',
      offset: 32,
    },
  ];
  for (const c of cases) {
    it(`malformed: ${c.name} → "${c.error}" at ${c.offset}`, () => {
      const d = decodeAll([{ data: c.data, linkType: c.linkType ?? LinkType.RAW }]).decoded[0];
      expect(d).toMatchObject({ kind: 'malformed', error: c.error, errorOffset: c.offset });
    });
  }

  it('reports error offsets relative to the record, after the link header', () => {
    const ethernet = new Uint8Array(14 + 19);
    ethernet[12] = 0x08;
    expect(decodeAll([{ data: ethernet, linkType: LinkType.ETHERNET }]).decoded[0]).toMatchObject({ errorOffset: 14, error: 'IPv4 header cut short: 19 of 20 bytes' });
  });
});

describe('IPv6 extension headers', () => {
  const ext = (type: number, body?: Uint8Array) => (body ? { type, body } : { type });
  const cases: { name: string; extensions: { type: number; body?: Uint8Array }[] }[] = [
    { name: 'hop-by-hop', extensions: [ext(IpProtocol.HOP_BY_HOP)] },
    { name: 'routing (type 0, 16 extra bytes)', extensions: [ext(IpProtocol.ROUTING, new Uint8Array(22))] },
    { name: 'destination options', extensions: [ext(IpProtocol.DEST_OPTS)] },
    { name: 'hop-by-hop, routing, destination options', extensions: [ext(IpProtocol.HOP_BY_HOP), ext(IpProtocol.ROUTING), ext(IpProtocol.DEST_OPTS, new Uint8Array(14))] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = buildIpv6Packet({ src: A6, dst: B6, protocol: IpProtocol.UDP, payload: udp6('ext'), extensions: c.extensions });
      expect(decodeOne(p)).toMatchObject({ kind: 'udp', src: A6, dst: B6, sport: 1000, dport: 2000, payload: 'ext' });
    });
  }

  it('authentication header (length in 4-byte units)', () => {
    // AH: next header UDP, payload len 4 → (4 + 2) * 4 = 24 bytes
    const ah = new Uint8Array(24);
    ah[0] = IpProtocol.UDP;
    ah[1] = 4;
    const p = buildIpv6Packet({ src: A6, dst: B6, protocol: 51, payload: new Uint8Array([...ah, ...udp6('ah')]) });
    expect(decodeOne(p)).toMatchObject({ kind: 'udp', payload: 'ah' });
  });

  it('no next header (59) is "other"', () => {
    expect(decodeOne(buildIpv6Packet({ src: A6, dst: B6, protocol: IpProtocol.NO_NEXT, payload: new Uint8Array(0) })).kind).toBe('other');
  });

  const good = buildIpv6Packet({ src: A6, dst: B6, protocol: IpProtocol.UDP, payload: udp6('abc'), extensions: [{ type: IpProtocol.HOP_BY_HOP }] });
  const cases2: { name: string; data: Uint8Array; error: string; offset: number; linkType?: number }[] = [
    { name: 'header of 39 bytes', data: good.subarray(0, 39), error: 'IPv6 header cut short: 39 of 40 bytes', offset: 0 },
    { name: 'version 4 nibble under link type IPV6', linkType: LinkType.IPV6, data: patched(good, 0, 0x40), error: 'IPv6 header with version 4', offset: 0 },
    { name: 'payload length past the capture', data: patched(good, 4, 0, 30), error: 'IPv6 payload length 30 exceeds the 19 bytes captured', offset: 4 },
    { name: 'extension header cut short', data: patched(good.subarray(0, 46), 4, 0, 6), error: 'IPv6 extension header 0 cut short: 6 of 8 bytes', offset: 40 },
    { name: 'extension header length past the payload', data: patched(good, 41, 3), error: 'IPv6 extension header 0 of 32 bytes exceeds the 19 left', offset: 41 },
    {
      name: 'fragment header cut short',
      data: buildIpv6Packet({ src: A6, dst: B6, protocol: IpProtocol.FRAGMENT, payload: new Uint8Array(5) }),
      error: 'IPv6 fragment header cut short: 5 of 8 bytes',
      offset: 40,
    },
  ];
  for (const c of cases2) {
    it(`malformed: ${c.name} → "${c.error}" at ${c.offset}`, () => {
      const d = decodeAll([{ data: c.data, linkType: c.linkType ?? LinkType.RAW }]).decoded[0];
      expect(d).toMatchObject({ kind: 'malformed', error: c.error, errorOffset: c.offset });
    });
  }
});

describe('IP in IP', () => {
  const inner4 = buildIpv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: IpProtocol.UDP, payload: buildUdpDatagram(parseIpv4('10.0.0.1'), parseIpv4('10.0.0.2'), 5060, 5060, text('in4')) });
  const inner6 = buildIpv6Packet({ src: 'fd00::1', dst: 'fd00::2', protocol: IpProtocol.UDP, payload: buildUdpDatagram(parseIpv6('fd00::1'), parseIpv6('fd00::2'), 5060, 5060, text('in6')) });
  const want4 = { kind: 'udp', src: '10.0.0.1', dst: '10.0.0.2', payload: 'in4' };
  const want6 = { kind: 'udp', src: 'fd00::1', dst: 'fd00::2', payload: 'in6' };
  const cases = [
    { name: 'IPv4 in IPv4 (protocol 4)', data: buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.IPIP, payload: inner4 }), want: want4 },
    { name: 'IPv6 in IPv4 (protocol 41)', data: buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.IPV6, payload: inner6 }), want: want6 },
    { name: 'IPv4 in IPv6 (next header 4)', data: buildIpv6Packet({ src: A6, dst: B6, protocol: IpProtocol.IPIP, payload: inner4 }), want: want4 },
    { name: 'IPv6 in IPv6 (next header 41)', data: buildIpv6Packet({ src: A6, dst: B6, protocol: IpProtocol.IPV6, payload: inner6 }), want: want6 },
    {
      name: 'IPv4 in IPv6 in IPv4',
      data: buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.IPV6, payload: buildIpv6Packet({ src: A6, dst: B6, protocol: IpProtocol.IPIP, payload: inner4 }) }),
      want: want4,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the inner addresses and payload`, () => {
      expect(decodeOne(c.data)).toMatchObject(c.want);
    });
  }

  it('more than 4 nested IP headers is malformed', () => {
    let p = inner4;
    for (let k = 0; k < 4; k++) p = buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.IPIP, payload: p });
    expect(decodeOne(p)).toMatchObject({ kind: 'malformed', error: 'more than 4 nested IP headers', errorOffset: 80 });
  });

  it('an inner header error is reported at its offset in the record', () => {
    const p = buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.IPIP, payload: inner4.subarray(0, 10) });
    expect(decodeOne(p)).toMatchObject({ kind: 'malformed', error: 'IPv4 header cut short: 10 of 20 bytes', errorOffset: 20 });
  });
});

describe('IPv6 text form (RFC 5952)', () => {
  const cases = [
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:21a:a0ff:fe07:32e0', 'fe80::21a:a0ff:fe07:32e0'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:0:2:0:0:0', '1::2:0:0:0'],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => {
      expect(formatIpv6(parseIpv6(input!), 0)).toBe(want);
    });
  }
});

describe('TCP header', () => {
  it('options are skipped and ports read', () => {
    const seg = buildTcpSegment(parseIpv4(A4), parseIpv4(B4), { sport: 5060, dport: 5061, seq: 1, flags: 0x18, payload: text('data'), options: Uint8Array.of(1, 1, 1, 1, 2, 4, 5, 0xb4) });
    const d = decodeOne(buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.TCP, payload: seg }));
    expect(d).toMatchObject({ kind: 'tcp', sport: 5060, dport: 5061, payload: 'data', flowKey: '192.0.2.1:5060>198.51.100.2:5061' });
  });

  it('an IPv6 flow key brackets the addresses', () => {
    const seg = buildTcpSegment(parseIpv6(A6), parseIpv6(B6), { sport: 5060, dport: 5061, seq: 1, flags: 0x18, payload: text('data') });
    expect(decodeOne(buildIpv6Packet({ src: A6, dst: B6, protocol: IpProtocol.TCP, payload: seg })).flowKey).toBe('[2001:db8::1]:5060>[2001:db8::2]:5061');
  });
});
