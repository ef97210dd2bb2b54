import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { RtpFrameTemplate } from '../../samples/generator/rtp-frame-template.js';

describe('RtpFrameTemplate', () => {
  it('patches frames byte-identical to ones built from scratch (checksum included)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 127 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.nat({ max: 0xffffffff }), fc.boolean()), { minLength: 1, maxLength: 8 }),
        (payload, pt, headers) => {
          const addresses = { src: '10.1.0.7', dst: '10.2.0.7', sport: 40000, dport: 50002 };
          const template = new RtpFrameTemplate({ ...addresses, pt, ssrc: 0xdeadbeef, payload });
          for (const [seq, ts, marker] of headers) {
            const expected = buildEthernetIpv4Udp({ ...addresses, payload: encodeRtpPacket({ pt, seq, ts, ssrc: 0xdeadbeef, marker, payload }) });
            expect(template.patch(seq, ts, marker)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
