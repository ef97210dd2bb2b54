import { describe, expect, it } from 'vitest';
import {
  buildIpv4Packet,
  buildIpv6Packet,
  buildUdpDatagram,
  fragmentIpv4,
  IpProtocol,
  ipv6FragmentBody,
  parseIpv4,
  parseIpv6,
} from '../../native-free/frame-builder.js';
import { DEFAULT_FRAGMENT_LIMITS, FragmentOutcome, FragmentReassembler } from '../../native-free/fragments.js';
import { LinkType } from '../../native-free/types.js';
import { decodeAll, text, type TestRecord } from './packet-helpers.js';

const A4 = '192.0.2.1';
const B4 = '198.51.100.2';
const body = 'RTCP'.repeat(50); // 200 bytes of UDP payload, 208 with the header
const whole4 = buildIpv4Packet({
  src: A4,
  dst: B4,
  protocol: IpProtocol.UDP,
  id: 0x1234,
  payload: buildUdpDatagram(parseIpv4(A4), parseIpv4(B4), 5005, 5007, text(body)),
});
const frags4 = fragmentIpv4(whole4, 64); // payload offsets 0, 64, 128, 192 (16 bytes)
const at = (data: Uint8Array, ts = 1000): TestRecord => ({ data, linkType: LinkType.RAW, ts });

describe('IPv4 fragment reassembly', () => {
  it('the builder splits into four fragments with MF on all but the last', () => {
    expect(frags4.map((f) => [(f[6]! << 8) | f[7]!, f.length])).toEqual([
      [0x2000 | 0, 84], [0x2000 | 8, 84], [0x2000 | 16, 84], [24, 36],
    ]);
  });

  it('in order: three pending, then the whole datagram', () => {
    const { decoded, decoder } = decodeAll(frags4.map((f) => at(f)));
    expect(decoded.map((d) => d.kind)).toEqual(['pending', 'pending', 'pending', 'udp']);
    expect(decoded[3]).toMatchObject({ src: A4, dst: B4, sport: 5005, dport: 5007, payload: body });
    expect(decoder.stats).toMatchObject({ fragmentsHeld: 4, fragmentsReassembled: 1, fragmentsDropped: 0, udp: 1 });
  });

  it('out of order, with an exact duplicate ignored', () => {
    const order = [frags4[3]!, frags4[1]!, frags4[1]!, frags4[0]!, frags4[2]!];
    const { decoded, decoder } = decodeAll(order.map((f) => at(f)));
    expect(decoded.map((d) => d.kind)).toEqual(['pending', 'pending', 'pending', 'pending', 'udp']);
    expect(decoded[4]!.payload).toBe(body);
    expect(decoder.stats).toMatchObject({ fragmentsReassembled: 1, fragmentOverlaps: 0 });
  });

  it('an overlap with different bytes drops the set (RFC 5722 rule)', () => {
    const evil = buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.UDP, id: 0x1234, fragmentOffset: 56, moreFragments: true, payload: new Uint8Array(16).fill(0x41) });
    const { decoded, decoder } = decodeAll([at(frags4[0]!), at(evil), at(frags4[1]!), at(frags4[2]!), at(frags4[3]!)]);
    expect(decoded[1]).toMatchObject({ kind: 'malformed', error: 'fragment [56, 72) overlaps [0, 64)', errorOffset: 6 });
    // the rest starts a new set that can never complete without offset 0
    expect(decoded.slice(2).map((d) => d.kind)).toEqual(['pending', 'pending', 'pending']);
    decoder.flush();
    expect(decoder.stats).toMatchObject({ fragmentOverlaps: 1, fragmentsDropped: 2, fragmentsReassembled: 0 });
  });

  it('a set older than the timeout (capture time) is given up', () => {
    const { decoded, decoder } = decodeAll([at(frags4[0]!, 1000), at(frags4[1]!, 1001), at(frags4[2]!, 1031), at(frags4[3]!, 1032)], {
      fragments: { timeoutSeconds: 30 },
    });
    expect(decoded.map((d) => d.kind)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect(decoder.stats).toMatchObject({ fragmentTimeouts: 1, fragmentsDropped: 1, fragmentsReassembled: 0 });
  });

  it('with the set limit reached, the oldest set is evicted', () => {
    const other = fragmentIpv4(buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.UDP, id: 7, payload: new Uint8Array(100) }), 64);
    const { decoded, decoder } = decodeAll([at(frags4[0]!), at(other[0]!), at(frags4[1]!), at(frags4[2]!), at(frags4[3]!), at(other[1]!)], {
      fragments: { maxSets: 1 },
    });
    expect(decoded.map((d) => d.kind)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending', 'pending']);
    // every new datagram evicts the one before: frags4 (1), other (2), frags4 again lacking offset 0 (3)
    expect(decoder.stats.fragmentsDropped).toBe(3);
  });

  it('end of capture counts incomplete sets as dropped', () => {
    const { decoder } = decodeAll([at(frags4[0]!)]);
    expect(decoder.stats.fragmentsDropped).toBe(0);
    decoder.flush();
    expect(decoder.stats.fragmentsDropped).toBe(1);
  });

  const frag = (offset: number, more: boolean, length: number) =>
    buildIpv4Packet({ src: A4, dst: B4, protocol: IpProtocol.UDP, id: 9, fragmentOffset: offset, moreFragments: more, payload: new Uint8Array(length) });
  const bad: { name: string; records: Uint8Array[]; error: string }[] = [
    { name: 'a non-final fragment not a multiple of 8', records: [frag(0, true, 12)], error: 'non-final fragment of 12 bytes is not a multiple of 8' },
    { name: 'a fragment past 65535', records: [frag(65528, true, 16)], error: 'fragment ending at 65544 overruns the largest datagram' },
    { name: 'two different last fragments', records: [frag(16, false, 8), frag(32, false, 8)], error: 'two last fragments end at 24 and 40' },
    { name: 'a fragment past the known end', records: [frag(16, false, 8), frag(24, true, 8)], error: "fragment ending at 32 lies past the datagram's end 24" },
  ];
  for (const c of bad) {
    it(`${c.name} is malformed`, () => {
      const { decoded } = decodeAll(c.records.map((r) => at(r)));
      expect(decoded.at(-1)).toMatchObject({ kind: 'malformed', error: c.error, errorOffset: 6 });
    });
  }
});

describe('IPv6 fragment reassembly', () => {
  const A6 = '2001:db8::1';
  const B6 = '2001:db8::2';
  const udp = buildUdpDatagram(parseIpv6(A6), parseIpv6(B6), 6000, 6001, text(body));
  // The fragmentable part: a destination options header, then UDP.
  const dstOpts = new Uint8Array(8);
  dstOpts[0] = IpProtocol.UDP;
  const fragmentable = new Uint8Array([...dstOpts, ...udp]); // 216 bytes
  const fragment = (offset: number, end: number, more: boolean) =>
    buildIpv6Packet({
      src: A6,
      dst: B6,
      protocol: IpProtocol.DEST_OPTS,
      extensions: [{ type: IpProtocol.HOP_BY_HOP }, { type: IpProtocol.FRAGMENT, body: ipv6FragmentBody(offset, more, 0xabcdef) }],
      payload: fragmentable.subarray(offset, end),
    });
  const frags = [fragment(0, 96, true), fragment(96, 192, true), fragment(192, 216, false)];

  it('reassembles across a hop-by-hop header and walks the extension headers inside', () => {
    const { decoded, decoder } = decodeAll([frags[2]!, frags[0]!, frags[1]!].map((f) => at(f)));
    expect(decoded.map((d) => d.kind)).toEqual(['pending', 'pending', 'udp']);
    expect(decoded[2]).toMatchObject({ src: A6, dst: B6, sport: 6000, dport: 6001, payload: body });
    expect(decoder.stats.fragmentsReassembled).toBe(1);
  });

  it("takes what follows the fragment header from the first fragment, not the one that completes the set (RFC 8200 §4.5)", () => {
    // Was: the next header of the fragment that arrived last (here 59, No Next Header) was
    // followed: the reassembled UDP datagram was read as nothing at all
    const noNext = (offset: number, end: number, more: boolean) =>
      buildIpv6Packet({
        src: A6,
        dst: B6,
        protocol: 59,
        extensions: [{ type: IpProtocol.HOP_BY_HOP }, { type: IpProtocol.FRAGMENT, body: ipv6FragmentBody(offset, more, 0xabcdef) }],
        payload: fragmentable.subarray(offset, end),
      });
    const { decoded } = decodeAll([noNext(192, 216, false), frags[0]!, noNext(96, 192, true)].map((f) => at(f)));
    expect(decoded.map((d) => d.kind)).toEqual(['pending', 'pending', 'udp']);
    expect(decoded[2]).toMatchObject({ src: A6, dst: B6, sport: 6000, dport: 6001, payload: body });
  });

  it('an overlapping fragment drops the set', () => {
    const { decoded, decoder } = decodeAll([frags[0]!, fragment(88, 192, true)].map((f) => at(f)));
    expect(decoded[1]).toMatchObject({ kind: 'malformed', error: 'fragment [88, 192) overlaps [0, 96)', errorOffset: 50 }); // offset field of the fragment header after hop-by-hop
    expect(decoder.stats.fragmentOverlaps).toBe(1);
  });
});

describe('FragmentReassembler limits', () => {
  it('evicts the oldest sets to stay within maxBytes', () => {
    const r = new FragmentReassembler({ maxSets: 100, maxBytes: 100, timeoutSeconds: 30 });
    const chunk = new Uint8Array(64);
    expect(r.add('a', 1, 0, true, chunk, 0, 64)).toBe(FragmentOutcome.HELD);
    expect(r.add('b', 2, 0, true, chunk, 0, 64)).toBe(FragmentOutcome.HELD);
    expect(r.pendingSets).toBe(1);
    expect(r.stats.dropped).toBe(1);
    expect(r.add('b', 3, 64, false, chunk, 0, 8)).toBe(FragmentOutcome.COMPLETE);
    expect(r.completed.length).toBe(72);
  });

  it('an IPv6 set waits 60 s (RFC 8200 §4.5), an IPv4 one 30 s, whatever order they came in', () => {
    const r = new FragmentReassembler(DEFAULT_FRAGMENT_LIMITS);
    const chunk = new Uint8Array(64);
    expect(r.add('6 2001:db8::1 2001:db8::2 7', 0, 0, true, chunk, 0, 64)).toBe(FragmentOutcome.HELD);
    expect(r.add('4 10.0.0.1 10.0.0.2 17 7', 1, 0, true, chunk, 0, 64)).toBe(FragmentOutcome.HELD);
    r.expire(31.5);
    // the IPv4 set behind the older IPv6 one is given up; the IPv6 one waits
    expect(r.pendingSets).toBe(1);
    expect(r.takeGivenUp().map((g) => [g.key, g.why])).toEqual([['4 10.0.0.1 10.0.0.2 17 7', 'timeout']]);
    r.expire(60);
    expect(r.pendingSets).toBe(1);
    expect(r.add('6 2001:db8::1 2001:db8::2 7', 60, 64, false, chunk, 0, 8)).toBe(FragmentOutcome.COMPLETE);
    expect(r.add('6 2001:db8::1 2001:db8::2 8', 61, 0, true, chunk, 0, 64)).toBe(FragmentOutcome.HELD);
    r.expire(121.5);
    expect(r.pendingSets).toBe(0);
    expect(r.stats.timeouts).toBe(2);
  });
});
