/**
 * IPv6 addresses as text, compared with tshark: RFC 5952 (lower-case hex, the longest run of
 * zero groups as "::") and, where tshark writes one, the dotted quad of an
 * IPv4-mapped (::ffff:192.0.2.1, RFC 5952 §5) or IPv4-compatible (::192.0.2.1) address.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildIpv6Udp } from '../../native-free/frame-builder.js';
import { formatIpv6 } from '../../native-free/ipv6.js';
import { canonicalIpv6 } from '../../src/binding/transport-map.js';
import { inspect, rtp, tsharkFields, writePcap } from './helpers.js';

const PAIRS: [string, string][] = [
  ['::ffff:c000:201', '64:ff9b::c000:201'],
  ['::c000:201', '::1'],
  ['::ffff:0:c000:201', '2001:db8::ffff:c000:201'],
  ['::ffff:0:1', '::ffff:1:2'],
  ['::', '::ffff:ffff:ffff'],
  ['::2', '::1:0:0:0'],
  ['2001:db8:0:0:1:0:0:1', '2001:0:0:1::1'],
  ['fe80::1:0:0:0:1', '1:0:0:2:0:0:3:0'],
];

describe('IPv6 address text', () => {
  it('inspect writes every source and destination as tshark does', () => {
    const file = writePcap(
      'ipv6-text.pcap',
      1,
      PAIRS.map(([src, dst], i) => ({ ts: 1_700_000_000 + i, data: buildIpv6Udp({ src, dst, sport: 40000, dport: 40002, payload: rtp(i + 1, 1) }) })),
    );
    const want = tsharkFields(file, ['ipv6.src', 'ipv6.dst']);
    const got = inspect(file).map((l) => [l['src'], l['dst']]);
    expect(got).toEqual(want);
    // what the addresses are in tshark's text, so the cases above stay the ones meant
    expect(want.slice(0, 5)).toEqual([
      ['::ffff:192.0.2.1', '64:ff9b::c000:201'],
      ['::192.0.2.1', '::1'],
      ['::ffff:0:c000:201', '2001:db8::ffff:c000:201'],
      ['::ffff:0.0.0.1', '::ffff:0.1.0.2'],
      ['::', '::ffff:255.255.255.255'],
    ]);
  });

  it("SDP's spellings of an address read as the packet layer writes it", () => {
    for (const [spelled, packet] of [
      ['::FFFF:192.0.2.1', '::ffff:192.0.2.1'],
      ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'],
      ['::192.0.2.1', '::192.0.2.1'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:db8::0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['fe80::1%eth0', 'fe80::1%eth0'],
    ]) {
      expect(canonicalIpv6(spelled!)).toBe(packet);
    }
  });

  it('any address: the SDP reading of the packet text, or of its plain hex groups, is the packet text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 7 }), (bytes, zeros) => {
        bytes.fill(0, 0, zeros * 2); // leading zero groups: where the dotted forms live
        const text = formatIpv6(bytes, 0);
        const hex = Array.from({ length: 8 }, (_, g) => ((bytes[2 * g]! << 8) | bytes[2 * g + 1]!).toString(16)).join(':');
        expect(canonicalIpv6(text)).toBe(text);
        expect(canonicalIpv6(hex)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
