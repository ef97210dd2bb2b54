import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyRtpRtcp, type RtpRtcpClass } from '../../src/media/demux.js';

describe('classifyRtpRtcp', () => {
  const cases: [string, number[], RtpRtcpClass][] = [
    ['STUN binding request (first byte 0–3)', [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42], 'other'],
    ['ZRTP (16–19)', [0x10, 0x00, 0x00, 0x00, 0x5a, 0x52, 0x54, 0x50], 'other'],
    ['DTLS handshake (20–63)', [0x16, 0xfe, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00], 'other'],
    ['TURN channel data (64–79)', [0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4], 'other'],
    ['RTP PT 0', [0x80, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3], 'rtp'],
    ['RTP PT 111 with marker', [0x80, 0xef, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3], 'rtp'],
    ['RTP with a CSRC that is there', [0x81, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4], 'rtp'],
    ['RTP whose CSRCs do not fit', [0x81, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3], 'other'],
    ['RTP shorter than its fixed header', [0x80, 0x60, 0, 1, 0, 0, 0, 2], 'other'],
    ['RTCP RR (second byte 201)', [0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1], 'rtcp'],
    ['RTCP PSFB alone, reduced-size (206)', [0x81, 0xce, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2], 'rtcp'],
    ['second byte 192 (lowest of RFC 5761 range)', [0x80, 0xc0, 0x00, 0x00], 'rtcp'],
    ['second byte 223 (highest of the range)', [0x80, 0xdf, 0x00, 0x00], 'rtcp'],
    ['second byte 224: RTP PT 96 with marker', [0x80, 0xe0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3], 'rtp'],
    ['RTCP whose first packet length does not fit', [0x80, 0xc8, 0x00, 0x06, 0, 0, 0, 1], 'other'],
    ['version 3 (first byte 192+)', [0xc0, 0xc8, 0x00, 0x00], 'other'],
    ['three bytes', [0x80, 0xc8, 0x00], 'other'],
  ];
  for (const [name, bytes, want] of cases) {
    it(name, () => expect(classifyRtpRtcp(Uint8Array.from(bytes), 0, bytes.length)).toBe(want));
  }

  it('looks only at bytes[off, off + len)', () => {
    const buf = Uint8Array.from([0x16, 0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1, 0xff]);
    expect(classifyRtpRtcp(buf, 1, 8)).toBe('rtcp');
    expect(classifyRtpRtcp(buf, 1, 7)).toBe('other');
    expect(classifyRtpRtcp(buf, 0, 10)).toBe('other');
  });

  it('never throws and sends first bytes outside 128–191 to other', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const got = classifyRtpRtcp(bytes, 0, bytes.length);
        if (bytes.length > 0 && (bytes[0]! < 128 || bytes[0]! > 191)) expect(got).toBe('other');
      }),
      { numRuns: 2000 },
    );
  });
});
