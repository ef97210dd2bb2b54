import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HepStreamFramer } from '../../src/sources/hep-stream.js';
import { decodeHep, encodeHep, HepDecodeError, HepEncodeError, HepProtocol, hepFrameLength, hepTimestamp, type HepEncodeInput } from '../../src/sources/hep.js';
import { canonicalIpv6 } from '../../src/binding/transport-map.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+|#[^\n]*/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

/** A SIP frame as heplify sends it: every generic chunk it uses, annotated. */
const SIP_FRAME = hex(`
  48455033 0000                # "HEP3", total length (patched below)
  0000 0001 0007 02            # IP family: AF_INET
  0000 0002 0007 11            # IP protocol: 17 UDP
  0000 0003 000a c0000201      # IPv4 src 192.0.2.1
  0000 0004 000a c6336402      # IPv4 dst 198.51.100.2
  0000 0007 0008 13c4          # src port 5060
  0000 0008 0008 13c5          # dst port 5061
  0000 0009 000a 5f5e1000      # seconds 1600000000
  0000 000a 000a 0001e240      # microseconds 123456
  0000 000b 0007 01            # protocol type: SIP
  0000 000c 000a 000007d0      # capture agent id 2000
  0000 000e 000c 7365637265 74 # auth key "secret"
  0000 0011 000d 63616c6c2d31 40 # correlation id "call-1@"
  0000 000f 000d 494e56495445 20 # payload "INVITE "
`);
new DataView(SIP_FRAME.buffer).setUint16(4, SIP_FRAME.length);

/** IPv6 RTCP with a vendor chunk and an unknown generic type, both to be skipped. */
const RTCP6_FRAME = hex(`
  48455033 0000
  0000 0001 0007 0a                                    # IP family: AF_INET6
  0000 0002 0007 11
  0000 0005 0016 20010db8000000000000000000000001      # IPv6 src 2001:db8::1
  0000 0006 0016 20010db8000000000000000000000002      # IPv6 dst 2001:db8::2
  0000 0007 0008 0fa1                                  # 4001
  0000 0008 0008 0fa3                                  # 4003
  0000 0009 000a 00000001
  0000 000a 000a 00000000
  0000 000b 0007 05                                    # protocol type: RTCP
  0021 0001 0008 abcd                                  # vendor 0x21's chunk: skipped
  0000 00fe 0007 00                                    # generic type 254: skipped
  0000 000f 000e 80c9000100000001                      # payload: empty RR
`);
new DataView(RTCP6_FRAME.buffer).setUint16(4, RTCP6_FRAME.length);

describe('decodeHep: annotated frames', () => {
  it('reads every chunk of a heplify-style SIP frame', () => {
    const r = decodeHep(SIP_FRAME);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { payload, ...rest } = r.packet;
    expect(rest).toEqual({
      ipVersion: 4,
      ipProtocol: 17,
      src: '192.0.2.1',
      dst: '198.51.100.2',
      sport: 5060,
      dport: 5061,
      tsSeconds: 1600000000,
      tsMicroseconds: 123456,
      protocolType: HepProtocol.SIP,
      captureAgentId: 2000,
      authKey: 'secret',
      authKeyBytes: new TextEncoder().encode('secret'),
      correlationId: 'call-1@',
      length: SIP_FRAME.length,
      unknownChunks: 0,
    });
    expect(new TextDecoder().decode(payload)).toBe('INVITE ');
  });

  it('reads IPv6 addresses and skips and counts unknown chunks', () => {
    const r = decodeHep(RTCP6_FRAME);
    expect(r.ok && r.packet).toMatchObject({ ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::2', sport: 4001, dport: 4003, protocolType: 5, unknownChunks: 2 });
    expect(r.ok && [...r.packet.payload]).toEqual([0x80, 0xc9, 0, 1, 0, 0, 0, 1]);
  });

  it('decodes only the first frame when more bytes follow', () => {
    const two = new Uint8Array(SIP_FRAME.length * 2);
    two.set(SIP_FRAME, 0);
    two.set(SIP_FRAME, SIP_FRAME.length);
    const r = decodeHep(two);
    expect(r.ok && r.packet.length).toBe(SIP_FRAME.length);
  });
});

/** One case per check: bytes, the offset and the words of the error. */
const FAILURES: { name: string; bytes: Uint8Array; offset: number; reason: RegExp }[] = [
  { name: 'header cut short', bytes: hex('48455033 00'), offset: 0, reason: /header cut short: 5 of 6/ },
  { name: 'no magic', bytes: hex('48455032 0006'), offset: 0, reason: /no "HEP3" magic/ },
  { name: 'total length below header', bytes: hex('48455033 0005'), offset: 4, reason: /total length 5 below/ },
  { name: 'total length beyond the bytes', bytes: hex('48455033 0010 0000'), offset: 4, reason: /total length 16 exceeds the 8 bytes/ },
  { name: 'chunk header cut short', bytes: hex('48455033 000a 00000001'), offset: 6, reason: /chunk header cut short: 4 of 6/ },
  { name: 'chunk length below chunk header', bytes: hex('48455033 000c 0000 0001 0005'), offset: 10, reason: /chunk length 5 below/ },
  { name: 'chunk length beyond the frame', bytes: hex('48455033 000d 0000 0001 0008 02 ff'), offset: 10, reason: /chunk length 8 exceeds the 7 bytes left/ },
  { name: 'port of 1 byte', bytes: hex('48455033 000d 0000 0007 0007 13'), offset: 10, reason: /chunk type 7 value is 1 bytes, expected 2/ },
  { name: 'IPv4 address of 3 bytes', bytes: hex('48455033 000f 0000 0003 0009 c00002'), offset: 10, reason: /chunk type 3 value is 3 bytes, expected 4/ },
  { name: 'unknown IP family', bytes: hex('48455033 000d 0000 0001 0007 07'), offset: 12, reason: /IP family 7/ },
];

describe('decodeHep: every length check fails with a named error and its offset', () => {
  it.each(FAILURES)('$name', ({ bytes, offset, reason }) => {
    const r = decodeHep(bytes);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(HepDecodeError);
    expect(r.error.name).toBe('HepDecodeError');
    expect(r.error.offset).toBe(offset);
    expect(r.error.reason).toMatch(reason);
  });
});

describe('hepFrameLength', () => {
  it('waits for six bytes, then gives the length or the error', () => {
    expect(hepFrameLength(hex('484550'), 0)).toBe(0);
    expect(hepFrameLength(SIP_FRAME, 0)).toBe(SIP_FRAME.length);
    expect(hepFrameLength(hex('00 48455033 0004'), 1)).toBeInstanceOf(HepDecodeError);
    expect(hepFrameLength(hex('474554202f20'), 0)).toBeInstanceOf(HepDecodeError);
  });
});

describe('encodeHep', () => {
  it('re-encodes the annotated SIP frame to its bytes (same chunk order)', () => {
    const r = decodeHep(SIP_FRAME);
    if (!r.ok) throw r.error;
    const { length: _l, unknownChunks: _u, ...packet } = r.packet;
    expect(encodeHep(packet)).toEqual(SIP_FRAME);
  });

  it('refuses an address of the wrong family and a frame over 64 KiB', () => {
    const base: HepEncodeInput = { ipVersion: 4, ipProtocol: 17, src: '2001:db8::1', dst: '', sport: 1, dport: 2, tsSeconds: 0, tsMicroseconds: 0, protocolType: 1, payload: new Uint8Array(0) };
    expect(() => encodeHep(base)).toThrow(HepEncodeError);
    expect(() => encodeHep({ ...base, src: '10.0.0.1', payload: new Uint8Array(70000) })).toThrow(/exceeds the 16-bit length/);
  });

  it('splits a capture time into seconds and microseconds', () => {
    expect(hepTimestamp(1600000000.123456)).toEqual({ tsSeconds: 1600000000, tsMicroseconds: 123456 });
    expect(hepTimestamp(1.9999996)).toEqual({ tsSeconds: 2, tsMicroseconds: 0 });
  });
});

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
// normalised to the decoder's text (RFC 5952, dotted quads where tshark writes them)
const ipv6 = fc.ipV6().map((a) => canonicalIpv6(a));
const text = fc.string({ maxLength: 40 });

const hepPacket: fc.Arbitrary<HepEncodeInput> = fc
  .record({
    v6: fc.boolean(),
    a4: fc.tuple(ipv4, ipv4),
    a6: fc.tuple(ipv6, ipv6),
    ipProtocol: fc.nat(255),
    sport: fc.nat(65535),
    dport: fc.nat(65535),
    tsSeconds: fc.integer({ min: 1, max: 0xffffffff }),
    tsMicroseconds: fc.nat(999999),
    protocolType: fc.nat(255),
    captureAgentId: fc.option(fc.nat(0xffffffff), { nil: undefined }),
    authKey: fc.option(text, { nil: undefined }),
    correlationId: fc.option(text, { nil: undefined }),
    vlanId: fc.option(fc.nat(4095), { nil: undefined }),
    payload: fc.uint8Array({ maxLength: 1500 }),
  })
  .map(({ v6, a4, a6, ...rest }) => {
    const p: HepEncodeInput = { ...rest, ipVersion: v6 ? 6 : 4, src: v6 ? a6[0] : a4[0], dst: v6 ? a6[1] : a4[1] };
    for (const k of ['captureAgentId', 'authKey', 'correlationId', 'vlanId'] as const) if (p[k] === undefined) delete p[k];
    return p;
  });

describe('HEPv3 properties', () => {
  it('random bytes never throw out of the decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, withMagic) => {
        if (withMagic && bytes.length >= 6) bytes.set([0x48, 0x45, 0x50, 0x33], 0);
        const r = decodeHep(bytes);
        if (!r.ok) expect(r.error.offset).toBeLessThanOrEqual(Math.max(0, bytes.length));
      }),
      { numRuns: 2000 },
    );
  });

  it('encode → decode gives the packet back', () => {
    fc.assert(
      fc.property(hepPacket, (p) => {
        const r = decodeHep(encodeHep(p));
        if (!r.ok) throw r.error;
        const { length, unknownChunks, authKeyBytes, ...back } = r.packet;
        expect(unknownChunks).toBe(0);
        // the key's bytes as sent, what a listener compares
        expect(authKeyBytes).toEqual(p.authKey === undefined ? undefined : new TextEncoder().encode(p.authKey));
        expect({ ...back, payload: [...back.payload] }).toEqual({ ...p, payload: [...p.payload] });
      }),
      { numRuns: 500 },
    );
  });

  it('corrupting one length byte of a valid frame gives an error or a frame, never a throw', () => {
    fc.assert(
      fc.property(hepPacket, fc.nat(), fc.nat(255), (p, pos, value) => {
        const bytes = encodeHep(p);
        bytes[pos % bytes.length] = value;
        decodeHep(bytes);
      }),
      { numRuns: 500 },
    );
  });
});

describe('HEP stream framer', () => {
  it('gives the same frames however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(hepPacket, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }), (packets, cuts) => {
        const frames = packets.map((p) => encodeHep(p));
        const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
        frames.reduce((at, f) => (stream.set(f, at), at + f.length), 0);
        const framer = new HepStreamFramer();
        const out: Uint8Array[] = [];
        for (let at = 0, k = 0; at < stream.length; k++) {
          const n = cuts[k % cuts.length]!;
          const r = framer.push(stream.subarray(at, at + n));
          expect(r.errors).toEqual([]);
          out.push(...r.frames);
          at += n;
        }
        expect(out).toEqual(frames);
        expect(framer.buffered).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('after garbage, finds the next frame and says at which stream byte it lost sync', () => {
    const frame = encodeHep({ ipVersion: 4, ipProtocol: 6, src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, tsSeconds: 1, tsMicroseconds: 2, protocolType: 1, payload: Uint8Array.of(0x53) });
    const framer = new HepStreamFramer();
    const first = framer.push(frame);
    // "HEX" garbage, then a frame whose first three bytes come in this read and the rest in the next
    const garbage = hex('484558 00 11');
    const r1 = framer.push(Uint8Array.from([...garbage, ...frame.subarray(0, 3)]));
    const r2 = framer.push(frame.subarray(3));
    expect(first.frames).toHaveLength(1);
    expect(r1.frames).toEqual([]);
    expect(r1.errors.map((e) => e.offset)).toEqual([frame.length]);
    expect(r2.frames).toEqual([frame]);
  });

  it('random bytes never throw and never hold more than one frame’s worth', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (reads) => {
        const framer = new HepStreamFramer();
        for (const r of reads) framer.push(r);
        expect(framer.buffered).toBeLessThanOrEqual(0xffff + 200);
      }),
      { numRuns: 300 },
    );
  });
});
