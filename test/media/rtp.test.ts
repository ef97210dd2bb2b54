import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtpPacket } from 'werift';
import { encodeRtpPacket, type RtpPacketInput } from '../../src/media/rtp-encode.js';
import {
  createRtpHeaderView,
  decodeRtpHeader,
  readRtpCsrc,
  readRtpExtension,
  rtpExtensionValue,
  type RtpError,
  type RtpHeaderView,
} from '../../src/media/rtp.js';

function decode(bytes: number[] | Uint8Array): { err: RtpError | null; view: RtpHeaderView; b: Uint8Array } {
  const b = Uint8Array.from(bytes);
  const view = createRtpHeaderView();
  return { err: decodeRtpHeader(b, 0, b.length, view), view, b };
}

describe('decodeRtpHeader', () => {
  const cases: { name: string; bytes: number[]; want?: Partial<RtpHeaderView>; error?: RtpError['code']; errorAt?: number }[] = [
    {
      name: 'fixed header and payload',
      // prettier-ignore
      bytes: [
        0x80, 0x88, 0xe6, 0xfd, // V=2 P=0 X=0 CC=0, M=1 PT=8, seq 59133
        0x00, 0x00, 0x00, 0xf0, // timestamp 240
        0xde, 0xe0, 0xee, 0x8f, // SSRC
        0xd5, 0xd5,             // payload
      ],
      want: { version: 2, marker: true, pt: 8, seq: 59133, timestamp: 240, ssrc: 0xdee0ee8f, csrcCount: 0, extProfile: -1, payloadOffset: 12, payloadLength: 2, paddingLength: 0 },
    },
    {
      name: 'two CSRCs, one-byte extension, padding',
      // prettier-ignore
      bytes: [
        0xb2, 0x6f, 0x00, 0x01, // V=2 P=1 X=1 CC=2, M=0 PT=111, seq 1
        0x00, 0x00, 0x00, 0x02, // timestamp 2
        0x00, 0x00, 0x00, 0x03, // SSRC 3
        0x00, 0x00, 0x00, 0x0a, // CSRC 10
        0x00, 0x00, 0x00, 0x0b, // CSRC 11
        0xbe, 0xde, 0x00, 0x01, // one-byte form, 1 word
        0x10, 0x61, 0x00, 0x00, // id 1 len 1 "a", padding
        0x99,                   // payload
        0x00, 0x00, 0x03,       // 3 bytes of padding
      ],
      want: { padding: true, extension: true, pt: 111, csrcCount: 2, csrcOffset: 12, extProfile: 0xbede, extOffset: 24, extLength: 4, payloadOffset: 28, payloadLength: 1, paddingLength: 3 },
    },
    { name: 'shorter than the fixed header', bytes: [0x80, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0], error: 'packet-too-short', errorAt: 0 },
    { name: 'version 1', bytes: [0x40, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3], error: 'bad-version', errorAt: 0 },
    { name: 'CSRC count past the end', bytes: [0x82, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4], error: 'csrc-overrun', errorAt: 12 },
    { name: 'extension header cut', bytes: [0x90, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde], error: 'extension-overrun', errorAt: 12 },
    {
      name: 'extension length past the end',
      bytes: [0x90, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0x00, 0x02, 0x10, 0x61, 0, 0],
      error: 'extension-overrun',
      errorAt: 12,
    },
    { name: 'padding count of zero', bytes: [0xa0, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x00], error: 'bad-padding', errorAt: 12 },
    { name: 'padding longer than the payload', bytes: [0xa0, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x05], error: 'bad-padding', errorAt: 12 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { err, view } = decode(c.bytes);
      if (c.error) {
        expect(err).toMatchObject({ code: c.error, offset: c.errorAt });
      } else {
        expect(err).toBeNull();
        expect(view).toMatchObject(c.want!);
      }
    });
  }

  it('reads CSRCs through the view', () => {
    const { view, b } = decode(encodeRtpPacket({ pt: 0, seq: 0, ts: 0, ssrc: 1, csrcs: [7, 0xffffffff], payload: new Uint8Array(0) }));
    expect([readRtpCsrc(b, view, 0), readRtpCsrc(b, view, 1)]).toEqual([7, 0xffffffff]);
  });

  it('decodes a packet inside a larger buffer with offsets into that buffer', () => {
    const pkt = encodeRtpPacket({ pt: 96, seq: 5, ts: 6, ssrc: 7, extensions: [{ id: 3, value: Uint8Array.of(0x30) }], payload: Uint8Array.of(1, 2) });
    const buf = new Uint8Array(pkt.length + 10);
    buf.set(pkt, 10);
    const view = createRtpHeaderView();
    expect(decodeRtpHeader(buf, 10, pkt.length, view)).toBeNull();
    expect(view.payloadOffset).toBe(10 + pkt.length - 2);
    expect(readRtpExtension(buf, view, 3)).toBe('0');
  });
});

describe('header extension elements (RFC 8285)', () => {
  it('one-byte form: finds the mid past padding and other elements', () => {
    // prettier-ignore
    const { view, b } = decode([
      0x90, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3,
      0xbe, 0xde, 0x00, 0x02,   // one-byte form, 2 words
      0x22, 0x01, 0x02, 0x03,   // id 2, 3 bytes (e.g. abs-send-time)
      0x00,                     // padding octet between elements
      0x41, 0x61, 0x76,         // id 4, 2 bytes: mid "av"
    ]);
    expect(readRtpExtension(b, view, 4)).toBe('av');
    expect([...rtpExtensionValue(b, view, 2)!]).toEqual([1, 2, 3]);
    expect(readRtpExtension(b, view, 5)).toBeUndefined();
  });
  it('one-byte form: id 15 stops processing', () => {
    const { view, b } = decode([0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0x00, 0x01, 0xf0, 0x41, 0x61, 0x00]);
    expect(readRtpExtension(b, view, 4)).toBeUndefined();
  });
  it('one-byte form: an element running past the block is not read', () => {
    const { view, b } = decode([0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0x00, 0x01, 0x00, 0x00, 0x45, 0x61]);
    expect(readRtpExtension(b, view, 4)).toBeUndefined();
  });
  it('two-byte form (0x100X): ids above 14 and empty values', () => {
    // prettier-ignore
    const { view, b } = decode([
      0x90, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3,
      0x10, 0x03, 0x00, 0x02,   // two-byte form, app bits 3, 2 words
      0x10, 0x00,               // id 16, empty
      0x11, 0x03, 0x6d, 0x69, 0x64, // id 17, "mid"
      0x00,                     // padding
    ]);
    expect(view.extProfile).toBe(0x1003);
    expect(readRtpExtension(b, view, 17)).toBe('mid');
    expect(rtpExtensionValue(b, view, 16)!.length).toBe(0);
  });
  it('two-byte form: an element running past the block is not read', () => {
    const { view, b } = decode([0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x10, 0x00, 0x00, 0x01, 0x11, 0x09, 0x61, 0x62]);
    expect(readRtpExtension(b, view, 17)).toBeUndefined();
  });
  it('another profile is not parsed as elements', () => {
    const { view, b } = decode([0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xab, 0xcd, 0x00, 0x01, 0x41, 0x61, 0x76, 0x00]);
    expect(view.extProfile).toBe(0xabcd);
    expect(readRtpExtension(b, view, 4)).toBeUndefined();
  });
  it('no extension at all', () => {
    const { view, b } = decode([0x80, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]);
    expect(readRtpExtension(b, view, 1)).toBeUndefined();
  });
});

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const rtpArb: fc.Arbitrary<RtpPacketInput> = fc.record({
  pt: fc.integer({ min: 0, max: 127 }),
  seq: fc.integer({ min: 0, max: 0xffff }),
  ts: u32,
  ssrc: u32,
  marker: fc.boolean(),
  csrcs: fc.array(u32, { maxLength: 15 }),
  extensions: fc.uniqueArray(
    fc.record({ id: fc.integer({ min: 1, max: 255 }), value: fc.uint8Array({ minLength: 1, maxLength: 20 }) }),
    { selector: (e) => e.id, maxLength: 4 },
  ),
  payload: fc.uint8Array({ maxLength: 64 }),
  padding: fc.integer({ min: 0, max: 255 }),
});

describe('encodeRtpPacket → decodeRtpHeader', () => {
  it('round-trips every field and extension', () => {
    fc.assert(
      fc.property(rtpArb, (p) => {
        const { err, view, b } = decode(encodeRtpPacket(p));
        expect(err).toBeNull();
        expect([view.pt, view.seq, view.timestamp, view.ssrc, view.marker]).toEqual([p.pt, p.seq, p.ts, p.ssrc, p.marker]);
        expect(Array.from({ length: view.csrcCount }, (_, i) => readRtpCsrc(b, view, i))).toEqual(p.csrcs);
        for (const e of p.extensions!) expect(rtpExtensionValue(b, view, e.id)).toEqual(e.value);
        const oneByte = p.extensions!.every((e) => e.id <= 14 && e.value.length <= 16);
        if (p.extensions!.length > 0) expect(view.extProfile).toBe(oneByte ? 0xbede : 0x1000);
        expect(b.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength)).toEqual(p.payload);
        expect(view.paddingLength).toBe(p.padding);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with werift RtpPacket.deSerialize on header fields and extensions', () => {
    fc.assert(
      fc.property(rtpArb, (p) => {
        const bytes = encodeRtpPacket(p);
        const { view, b } = decode(bytes);
        const theirs = RtpPacket.deSerialize(Buffer.from(bytes));
        const h = theirs.header;
        expect([h.version, h.marker, h.payloadType, h.sequenceNumber, h.timestamp, h.ssrc]).toEqual([2, view.marker, view.pt, view.seq, view.timestamp, view.ssrc]);
        expect(h.csrc).toEqual(Array.from({ length: view.csrcCount }, (_, i) => readRtpCsrc(b, view, i)));
        if (view.extension) {
          expect(h.extensionProfile).toBe(view.extProfile);
          expect(h.extensions.map((e) => e.id).sort()).toEqual(p.extensions!.map((e) => e.id).sort());
          for (const e of h.extensions) expect(new Uint8Array(e.payload)).toEqual(rtpExtensionValue(b, view, e.id));
        }
        expect(new Uint8Array(theirs.payload)).toEqual(b.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on random bytes', () => {
    const view = createRtpHeaderView();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 16 }), (bytes, id) => {
        if (decodeRtpHeader(bytes, 0, bytes.length, view) === null) {
          expect(view.payloadOffset + view.payloadLength + view.paddingLength).toBe(bytes.length);
          readRtpExtension(bytes, view, id);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
