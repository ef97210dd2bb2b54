import { describe } from 'vitest';
import { runDecoderTable } from './decoder-table.js';
import { decodePayloadFeedback } from '../../src/media/rtcp/payload-feedback.js';
import { decodeTransportFeedback } from '../../src/media/rtcp/transport-feedback.js';

describe('decodeTransportFeedback', () => {
  runDecoderTable(decodeTransportFeedback, [
    {
      name: 'generic NACK with two FCI entries',
      // prettier-ignore
      bytes: [
        0x81, 0xcd, 0x00, 0x04, // FMT=1, PT=205, length=4 words
        0x00, 0x00, 0x00, 0x01, // sender SSRC 1
        0x00, 0x00, 0x00, 0x02, // media SSRC 2
        0x03, 0xe8, 0x00, 0x05, // PID=1000 BLP=0b101
        0xff, 0xff, 0x80, 0x00, // PID=65535 BLP=0x8000
      ],
      want: {
        pt: 205, ssrc: 1, offset: 0, length: 20, fmt: 1, senderSsrc: 1, mediaSsrc: 2,
        nacks: [{ pid: 1000, blp: 5 }, { pid: 65535, blp: 0x8000 }], twcc: undefined,
      },
    },
    {
      name: 'TWCC fixed fields',
      // prettier-ignore
      bytes: [
        0x8f, 0xcd, 0x00, 0x05, // FMT=15, length=5 words
        0x00, 0x00, 0x00, 0x01, // sender SSRC 1
        0x00, 0x00, 0x00, 0x02, // media SSRC 2
        0x00, 0x10, 0x00, 0x02, // base seq 16, status count 2
        0x12, 0x34, 0x56, 0x07, // reference time 0x123456, fb count 7
        0x00, 0x02, 0x00, 0x00, // run-length chunk: 2 × "not received" (symbol 0), padding
      ],
      want: {
        pt: 205, ssrc: 1, offset: 0, length: 24, fmt: 15, senderSsrc: 1, mediaSsrc: 2, nacks: undefined,
        twcc: { baseSeq: 16, statusCount: 2, referenceTime: 0x123456, fbCount: 7, status: '00', deltasUs: [] },
      },
    },
    {
      name: 'other FMT kept with its SSRCs only',
      bytes: [0x82, 0xcd, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2], // FMT=2 (unassigned) with no FCI
      want: { pt: 205, ssrc: 1, offset: 0, length: 12, fmt: 2, senderSsrc: 1, mediaSsrc: 2, nacks: undefined, twcc: undefined },
    },
    {
      name: 'TMMBN with no entries (an empty bounding set, RFC 5104 §4.2.2.2)',
      bytes: [0x84, 0xcd, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0],
      want: { pt: 205, ssrc: 1, offset: 0, length: 12, fmt: 4, senderSsrc: 1, mediaSsrc: 0, tmmb: [] },
    },
    {
      // RFC 5104 §4.2.1.1: SSRC 7001, MxTBR exp 3, mantissa 100000 (800 kbit/s), overhead 40
      name: 'TMMBR: the media sender is in the FCI (the header media SSRC 0)',
      bytes: [0x83, 0xcd, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x1b, 0x59, ...[(3 << 26) | (100000 << 9) | 40].flatMap((w) => [w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff])],
      want: { pt: 205, ssrc: 1, offset: 0, length: 20, fmt: 3, senderSsrc: 1, mediaSsrc: 0, tmmb: [{ ssrc: 7001, bitrate: 800000, overhead: 40 }] },
    },
    {
      name: 'TMMBR FCI not a whole number of entries',
      bytes: [0x83, 0xcd, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x1b, 0x59],
      error: 'bad-field',
      errorAt: 12,
    },
    {
      name: 'RTPFB without its media SSRC',
      bytes: [0x81, 0xcd, 0x00, 0x01, 0, 0, 0, 1],
      error: 'packet-too-short',
    },
    {
      name: 'TWCC without its fixed fields',
      bytes: [0x8f, 0xcd, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 1], // 16 bytes, needs 20
      error: 'packet-too-short',
    },
  ]);
});

describe('decodePayloadFeedback', () => {
  runDecoderTable(decodePayloadFeedback, [
    {
      name: 'PLI',
      bytes: [0x81, 0xce, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2], // FMT=1, PT=206, no FCI
      want: { pt: 206, ssrc: 1, offset: 0, length: 12, fmt: 1, senderSsrc: 1, mediaSsrc: 2, fir: undefined, remb: undefined },
    },
    {
      name: 'FIR with two entries',
      // prettier-ignore
      bytes: [
        0x84, 0xce, 0x00, 0x06, // FMT=4, length=6 words
        0x00, 0x00, 0x00, 0x01, // sender SSRC 1
        0x00, 0x00, 0x00, 0x00, // media SSRC 0 (unused by FIR)
        0x00, 0x00, 0x00, 0x0a, // FIR entry SSRC 10
        0x07, 0x00, 0x00, 0x00, //   seq 7, reserved
        0x00, 0x00, 0x00, 0x0b, // FIR entry SSRC 11
        0xff, 0x00, 0x00, 0x00, //   seq 255
      ],
      want: {
        pt: 206, ssrc: 1, offset: 0, length: 28, fmt: 4, senderSsrc: 1, mediaSsrc: 0,
        fir: [{ ssrc: 10, seq: 7 }, { ssrc: 11, seq: 255 }], remb: undefined,
      },
    },
    {
      name: 'REMB under application-layer feedback',
      // prettier-ignore
      bytes: [
        0x8f, 0xce, 0x00, 0x06, // FMT=15 (AFB), length=6 words
        0x00, 0x00, 0x00, 0x01, // sender SSRC 1
        0x00, 0x00, 0x00, 0x00, // media SSRC 0
        0x52, 0x45, 0x4d, 0x42, // "REMB"
        0x02, 0x0b, 0xd3, 0x4e, // num SSRC 2, exp 2, mantissa 0x3d34e = 250702
        0x00, 0x00, 0x00, 0x0a, // SSRC 10
        0x00, 0x00, 0x00, 0x0b, // SSRC 11
      ],
      want: {
        pt: 206, ssrc: 1, offset: 0, length: 28, fmt: 15, senderSsrc: 1, mediaSsrc: 0,
        fir: undefined, remb: { bitrate: 250702 * 4, ssrcs: [10, 11] },
      },
    },
    {
      name: 'AFB that is not REMB',
      bytes: [0x8f, 0xce, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0x41, 0x42, 0x43, 0x44],
      want: { pt: 206, ssrc: 1, offset: 0, length: 16, fmt: 15, senderSsrc: 1, mediaSsrc: 2, fir: undefined, remb: undefined },
    },
    {
      name: 'PSFB without its media SSRC',
      bytes: [0x81, 0xce, 0x00, 0x01, 0, 0, 0, 1],
      error: 'packet-too-short',
    },
    {
      name: 'FIR with a partial entry',
      bytes: [0x84, 0xce, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 10], // 4 of 8 bytes
      error: 'bad-field',
      errorAt: 12,
    },
    {
      name: 'REMB cut before its bitrate',
      bytes: [0x8f, 0xce, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 0x52, 0x45, 0x4d, 0x42],
      error: 'packet-too-short',
    },
    {
      name: 'REMB whose SSRC count does not fit',
      bytes: [0x8f, 0xce, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 0, 0x52, 0x45, 0x4d, 0x42, 0x01, 0x00, 0x00, 0x01],
      error: 'report-count-overflow',
      errorAt: 16,
    },
  ]);
});
