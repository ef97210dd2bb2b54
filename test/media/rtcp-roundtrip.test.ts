import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { encodeRtcpCompound, encodeRtcpPacket, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import type { RtcpPacket } from '../../src/media/rtcp/types.js';
import {
  appDefinedArb,
  extendedReportArb,
  goodbyeArb,
  payloadFeedbackArb,
  receiverReportArb,
  rtcpPacketArb,
  senderReportArb,
  sourceDescriptionArb,
  transportFeedbackArb,
  unknownRtcpArb,
} from './rtcp-arbitraries.js';

function withoutPlacement(p: RtcpPacket): object {
  const { offset: _offset, length: _length, ...rest } = p;
  return rest;
}

const perType: [string, fc.Arbitrary<RtcpPacketInput>][] = [
  ['SR', senderReportArb],
  ['RR', receiverReportArb],
  ['SDES', sourceDescriptionArb],
  ['BYE', goodbyeArb],
  ['APP', appDefinedArb],
  ['RTPFB', transportFeedbackArb],
  ['PSFB', payloadFeedbackArb],
  ['XR', extendedReportArb],
  ['unknown type', unknownRtcpArb],
];

describe('encode → decode round trip', () => {
  for (const [name, arb] of perType) {
    it(`${name}: every generated packet decodes to itself`, () => {
      fc.assert(
        fc.property(arb, (p) => {
          const bytes = encodeRtcpPacket(p);
          expect(bytes.length % 4).toBe(0);
          const c = decodeRtcpCompound(bytes);
          expect(c.errors).toEqual([]);
          expect(c.packets).toHaveLength(1);
          expect(c.packets[0]!.length).toBe(bytes.length);
          expect(withoutPlacement(c.packets[0]!)).toEqual(p);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('compounds keep order, offsets and a padded last packet', () => {
    fc.assert(
      fc.property(fc.array(rtcpPacketArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 63 }), (ps, padWords) => {
        const input = ps.map((p, i) => (i === ps.length - 1 && padWords > 0 ? { ...p, padding: padWords * 4 } : p));
        const bytes = encodeRtcpCompound(input);
        const c = decodeRtcpCompound(bytes);
        expect(c.errors).toEqual([]);
        expect(c.packets.map(withoutPlacement)).toEqual(ps);
        let offset = 0;
        for (const p of c.packets) {
          expect(p.offset).toBe(offset);
          offset += p.length;
        }
        expect(offset).toBe(bytes.length);
        expect(c.reducedSize).toBe(ps[0]!.pt !== 200 && ps[0]!.pt !== 201);
      }),
      { numRuns: 150 },
    );
  });
});

describe('encoder details', () => {
  it('pads SDES chunks with at least one null octet to the word (RFC 3550 §6.5)', () => {
    // CNAME of 2 bytes: 4 (SSRC) + 2 + 2 = 8, so the null octet needs a whole extra word
    const bytes = encodeRtcpPacket({ pt: 202, ssrc: 1, chunks: [{ ssrc: 1, items: [{ type: 1, text: 'ab' }] }] });
    // prettier-ignore
    expect([...bytes]).toEqual([
      0x81, 0xca, 0x00, 0x03,
      0x00, 0x00, 0x00, 0x01,
      0x01, 0x02, 0x61, 0x62,
      0x00, 0x00, 0x00, 0x00,
    ]);
  });
  it('writes the P bit and the padding count', () => {
    const bytes = encodeRtcpPacket({ pt: 201, ssrc: 1, reports: [], padding: 8 });
    expect([...bytes]).toEqual([0xa0, 0xc9, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8]);
  });
  it('refuses what the wire cannot carry', () => {
    expect(() => encodeRtcpPacket({ pt: 203, ssrc: 0, ssrcs: new Array(32).fill(1), reason: undefined })).toThrow(/5-bit count/);
    expect(() => encodeRtcpPacket({ pt: 203, ssrc: 0, ssrcs: [], reason: 'x'.repeat(256) })).toThrow(/8-bit length/);
    expect(() => encodeRtcpPacket({ pt: 201, ssrc: 1, reports: [], padding: 6 })).toThrow(/multiple of 4/);
  });
  it('writes APP data it is given', () => {
    const bytes = encodeRtcpPacket({ pt: 204, ssrc: 1, subtype: 2, name: 'TEST', data: Uint8Array.of(9, 8, 7, 6) });
    expect([...bytes]).toEqual([0x82, 0xcc, 0x00, 0x03, 0, 0, 0, 1, 0x54, 0x45, 0x53, 0x54, 9, 8, 7, 6]);
  });
});

describe('decoder robustness', () => {
  it('never throws on random bytes, and every error names an offset inside the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const c = decodeRtcpCompound(bytes);
        for (const e of c.errors) expect(e.offset).toBeGreaterThanOrEqual(0);
        for (const e of c.errors) expect(e.offset).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 3000 },
    );
  });
  it('never throws on valid compounds with random bytes flipped or cut', () => {
    fc.assert(
      fc.property(
        fc.array(rtcpPacketArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
        fc.nat(),
        (ps, flips, cut) => {
          const bytes = encodeRtcpCompound(ps);
          for (const f of flips) bytes[f.at % bytes.length] = f.value;
          const c = decodeRtcpCompound(bytes, 0, cut % (bytes.length + 1));
          expect(c.packets.length + c.errors.length).toBeGreaterThanOrEqual(0);
          for (const p of c.packets) expect(p.offset + p.length).toBeLessThanOrEqual(cut % (bytes.length + 1));
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('lengths that claim more than the array holds', () => {
  it('are clamped to the array: nothing is read past its end', () => {
    fc.assert(
      fc.property(fc.array(rtcpPacketArb, { minLength: 1, maxLength: 3 }), fc.nat({ max: 40 }), fc.nat({ max: 400 }), (ps, off, len) => {
        const bytes = encodeRtcpCompound(ps);
        const c = decodeRtcpCompound(bytes, off, len);
        const available = Math.max(0, bytes.length - off);
        for (const p of c.packets) expect(p.offset + p.length).toBeLessThanOrEqual(available);
        if (off === 0 && len >= bytes.length) expect(c.packets).toHaveLength(ps.length);
      }),
      { numRuns: 500 },
    );
  });
});
