import { describe, expect, it } from 'vitest';
import { type DecoderCase, runDecoderTable } from './decoder-table.js';
import { decodeReceiverReport } from '../../src/media/rtcp/receiver-report.js';
import { decodeSenderReport } from '../../src/media/rtcp/sender-report.js';
import type { RtcpDecodeError } from '../../src/media/rtcp/types.js';

// prettier-ignore
const reportBlock = [
  0x77, 0x8c, 0x2a, 0x07, // SSRC_1 = 2005674503
  0x05,                   // fraction lost = 5/256
  0x00, 0x00, 0x02,       // cumulative lost = 2
  0x00, 0x00, 0x7b, 0x20, // extended highest seq = 31520
  0x00, 0x00, 0x00, 0x02, // jitter = 2
  0xb1, 0x6a, 0x6b, 0x32, // LSR = 2976541490
  0x00, 0x03, 0xd9, 0xf6, // DLSR = 252406
];
const decodedReportBlock = {
  ssrc: 2005674503, fractionLost: 5, cumulativeLost: 2, highestSeq: 31520, jitter: 2, lsr: 2976541490, dlsr: 252406,
};

describe('decodeSenderReport', () => {
  const cases: DecoderCase[] = [
    {
      name: 'SR with one report block',
      // prettier-ignore
      bytes: [
        0x81, 0xc8, 0x00, 0x0c, // V=2 P=0 RC=1, PT=200, length=12 words
        0x4e, 0x09, 0x67, 0x7c, // sender SSRC = 1309239164
        0xde, 0xce, 0xdb, 0x9b, // NTP seconds = 3738098587
        0xe2, 0x6c, 0x23, 0x75, // NTP fraction = 3798737781
        0x00, 0x02, 0xea, 0x60, // RTP ts = 191072
        0x00, 0x00, 0x04, 0xa6, // packet count = 1190
        0x00, 0x00, 0x5c, 0xf8, // octet count = 23800
        ...reportBlock,
      ],
      want: {
        pt: 200, ssrc: 1309239164, offset: 0, length: 52, ntpSec: 3738098587, ntpFrac: 3798737781,
        rtpTs: 191072, packetCount: 1190, octetCount: 23800, reports: [decodedReportBlock],
      },
    },
    {
      name: 'SR without report blocks, SSRC read unsigned',
      // prettier-ignore
      bytes: [
        0x80, 0xc8, 0x00, 0x06, // RC=0, length=6 words
        0xff, 0xff, 0xff, 0xff, // SSRC = 4294967295 (unsigned)
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 3,  0, 0, 0, 4,  0, 0, 0, 5,
      ],
      want: { pt: 200, ssrc: 0xffffffff, ntpSec: 1, ntpFrac: 2, rtpTs: 3, packetCount: 4, octetCount: 5, reports: [] },
    },
    {
      name: 'SR shorter than its sender info',
      // prettier-ignore
      bytes: [
        0x80, 0xc8, 0x00, 0x05, // length=5 words: 24 bytes, sender info needs 28
        0, 0, 0, 1,  0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 3,  0, 0, 0, 4,
      ],
      error: 'packet-too-short',
    },
    {
      name: 'SR whose report count does not fit',
      // prettier-ignore
      bytes: [
        0x82, 0xc8, 0x00, 0x0c, // RC=2 but room for one block
        0, 0, 0, 1,  0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 3,  0, 0, 0, 4,  0, 0, 0, 5,
        ...reportBlock,
      ],
      error: 'report-count-overflow',
    },
  ];
  runDecoderTable(decodeSenderReport, cases, (got, c) => expect(got).toMatchObject(c.want!));
});

describe('decodeReceiverReport', () => {
  const cases: DecoderCase[] = [
    {
      name: 'RR with one report block and negative cumulative loss',
      // prettier-ignore
      bytes: [
        0x81, 0xc9, 0x00, 0x07, // RC=1, PT=201, length=7 words
        0x00, 0x00, 0x30, 0x39, // SSRC = 12345
        0x00, 0x00, 0x00, 0x01, // SSRC_1 = 1
        0x80,                   // fraction lost = 128 (50 %)
        0xff, 0xff, 0xfe,       // cumulative lost = -2 (24-bit two's complement)
        0x00, 0x01, 0x00, 0x05, // highest seq = 65541 (one cycle)
        0x00, 0x00, 0x01, 0x00, // jitter = 256
        0x00, 0x00, 0x00, 0x00, // LSR = 0 (no SR yet)
        0x00, 0x00, 0x00, 0x00, // DLSR = 0
      ],
      want: {
        pt: 201, ssrc: 12345, offset: 0, length: 32,
        reports: [{ ssrc: 1, fractionLost: 128, cumulativeLost: -2, highestSeq: 65541, jitter: 256, lsr: 0, dlsr: 0 }],
      },
    },
    {
      name: 'empty RR',
      bytes: [0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07],
      want: { pt: 201, ssrc: 7, reports: [] },
    },
    {
      name: 'RR without its SSRC',
      bytes: [0x80, 0xc9, 0x00, 0x00], // length=0 words: header only
      error: 'packet-too-short',
    },
    {
      name: 'RR whose report count does not fit',
      bytes: [0x81, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07], // RC=1, no block
      error: 'report-count-overflow',
    },
  ];
  runDecoderTable(decodeReceiverReport, cases, (got, c) => expect(got).toMatchObject(c.want!));

  it('reports offsets relative to the compound start it is given', () => {
    const bytes = Uint8Array.from([0xaa, 0xbb, 0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07]);
    const errors: RtcpDecodeError[] = [];
    expect(decodeReceiverReport(bytes, 2, 8, errors, 2)).toMatchObject({ offset: 0, ssrc: 7 });
    expect(decodeReceiverReport(bytes, 2, 8, errors)).toMatchObject({ offset: 2 });
  });
});
