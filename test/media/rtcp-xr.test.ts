import { describe, expect } from 'vitest';
import { type DecoderCase, runDecoderTable } from './decoder-table.js';
import { decodeExtendedReport } from '../../src/media/rtcp/extended-report.js';

// prettier-ignore
const xrHeader = (words: number) => [
  0x80, 0xcf, 0x00, words, // V=2, PT=207, length in words
  0x00, 0x00, 0x00, 0x63,  // SSRC 99
];

type Case = DecoderCase<object[]>;

describe('decodeExtendedReport', () => {
  const cases: Case[] = [
    {
      name: 'Loss RLE (bt 1) with an odd chunk count padded by a null chunk',
      // prettier-ignore
      bytes: [...xrHeader(5),
        0x01, 0x03, 0x00, 0x03, // bt=1, thinning=3, block length 3 words
        0x00, 0x00, 0x00, 0x05, // SSRC 5
        0x00, 0x0a, 0x00, 0x14, // begin 10, end 20
        0x40, 0x0a, 0x00, 0x00, // run-length chunk "10 received", null chunk
      ],
      want: [{ bt: 1, ssrc: 5, thinning: 3, beginSeq: 10, endSeq: 20, chunks: [0x400a] }],
    },
    {
      name: 'Duplicate RLE (bt 2) with two chunks',
      // prettier-ignore
      bytes: [...xrHeader(5),
        0x02, 0x00, 0x00, 0x03,
        0x00, 0x00, 0x00, 0x05,
        0x00, 0x00, 0x00, 0x02,
        0x80, 0x01, 0xc0, 0x00, // bit-vector chunks
      ],
      want: [{ bt: 2, ssrc: 5, thinning: 0, beginSeq: 0, endSeq: 2, chunks: [0x8001, 0xc000] }],
    },
    {
      name: 'Packet Receipt Times (bt 3)',
      // prettier-ignore
      bytes: [...xrHeader(6),
        0x03, 0x00, 0x00, 0x04, // bt=3, 4 words
        0x00, 0x00, 0x00, 0x05,
        0x00, 0x01, 0x00, 0x03, // begin 1, end 3
        0x00, 0x00, 0x00, 0x64, // receipt time 100
        0x00, 0x00, 0x00, 0xc8, // receipt time 200
      ],
      want: [{ bt: 3, ssrc: 5, thinning: 0, beginSeq: 1, endSeq: 3, receiptTimes: [100, 200] }],
    },
    {
      name: 'Receiver Reference Time (bt 4) and DLRR (bt 5)',
      // prettier-ignore
      bytes: [...xrHeader(8),
        0x04, 0x00, 0x00, 0x02, // bt=4, 2 words
        0xde, 0xce, 0xdb, 0x9b, // NTP seconds
        0x00, 0x00, 0x00, 0x01, // NTP fraction
        0x05, 0x00, 0x00, 0x03, // bt=5, 3 words: one sub-block
        0x00, 0x00, 0x00, 0x07, // SSRC 7
        0x00, 0x01, 0x00, 0x00, // LRR
        0x00, 0x00, 0x80, 0x00, // DLRR
      ],
      want: [
        { bt: 4, ntpSec: 0xdecedb9b, ntpFrac: 1 },
        { bt: 5, subBlocks: [{ ssrc: 7, lrr: 0x10000, dlrr: 0x8000 }] },
      ],
    },
    {
      name: 'Statistics Summary (bt 6)',
      // prettier-ignore
      bytes: [...xrHeader(11),
        0x06, 0xe8, 0x00, 0x09, // bt=6, flags L D J ToH=01, 9 words
        0x00, 0x00, 0x00, 0x05, // SSRC
        0x00, 0x01, 0x00, 0x64, // begin 1, end 100
        0x00, 0x00, 0x00, 0x03, // lost
        0x00, 0x00, 0x00, 0x01, // dup
        0x00, 0x00, 0x00, 0x02, // min jitter
        0x00, 0x00, 0x00, 0x09, // max jitter
        0x00, 0x00, 0x00, 0x04, // mean jitter
        0x00, 0x00, 0x00, 0x01, // dev jitter
        0x3c, 0x40, 0x3e, 0x01, // TTL min 60 max 64 mean 62 dev 1
      ],
      want: [{
        bt: 6, ssrc: 5, flags: 0xe8, beginSeq: 1, endSeq: 100, lostPackets: 3, dupPackets: 1,
        minJitter: 2, maxJitter: 9, meanJitter: 4, devJitter: 1, minTtlOrHl: 60, maxTtlOrHl: 64, meanTtlOrHl: 62, devTtlOrHl: 1,
      }],
    },
    {
      name: 'VoIP Metrics (bt 7)',
      // prettier-ignore
      bytes: [...xrHeader(10),
        0x07, 0x00, 0x00, 0x08, // bt=7, 8 words
        0x00, 0x00, 0x00, 0x05, // SSRC 5
        0x0c, 0x02, 0x20, 0x01, // loss 12, discard 2, burst density 32, gap density 1
        0x00, 0x78, 0x01, 0x2c, // burst duration 120 ms, gap duration 300 ms
        0x00, 0x28, 0x00, 0x32, // RTD 40 ms, end system delay 50 ms
        0xec, 0xb5, 0x7f, 0x10, // signal -20 dBm, noise -75 dBm, RERL 127 (unavailable), Gmin 16
        0x5d, 0x7f, 0x29, 0x2a, // R 93, ext R 127, MOS-LQ 4.1, MOS-CQ 4.2
        0x05, 0x00, 0x00, 0x3c, // RX config, reserved, JB nominal 60
        0x00, 0x78, 0x00, 0xc8, // JB max 120, JB abs max 200
      ],
      want: [{
        bt: 7, ssrc: 5, lossRate: 12, discardRate: 2, burstDensity: 32, gapDensity: 1, burstDuration: 120, gapDuration: 300,
        roundTripDelay: 40, endSystemDelay: 50, signalLevel: -20, noiseLevel: -75, rerl: 127, gmin: 16, rFactor: 93,
        extRFactor: 127, mosLq: 41, mosCq: 42, rxConfig: 5, jbNominal: 60, jbMaximum: 120, jbAbsMax: 200,
      }],
    },
    {
      name: 'unknown block type kept as bt + length, with bytes 4-7 as the SSRC of its source (RFC 6792)',
      bytes: [...xrHeader(3), 0x2a, 0x11, 0x00, 0x01, 0, 0, 0x15, 0xb3], // bt=42, 2 words, source 5555
      want: [{ bt: 42, typeSpecific: 0x11, length: 8, unknown: true, ssrc: 5555 }],
    },
    {
      name: 'unknown block type of one word: no SSRC',
      bytes: [...xrHeader(2), 0x2a, 0x11, 0x00, 0x00],
      want: [{ bt: 42, typeSpecific: 0x11, length: 4, unknown: true }],
    },
    {
      name: 'XR without its SSRC',
      bytes: [0x80, 0xcf, 0x00, 0x00],
      error: 'packet-too-short',
    },
    {
      name: 'XR block header cut',
      bytes: [...xrHeader(1), 0x04, 0x00], // 2 stray bytes after the SSRC
      error: 'xr-block-overrun',
      errorAt: 8,
    },
    {
      name: 'XR block longer than its packet',
      bytes: [...xrHeader(3), 0x04, 0x00, 0x00, 0x02, 0, 0, 0, 1], // block says 12 bytes, 8 there
      error: 'xr-block-overrun',
      errorAt: 8,
    },
    {
      name: 'VoIP block too short for its type',
      bytes: [...xrHeader(3), 0x07, 0x00, 0x00, 0x01, 0, 0, 0, 5],
      error: 'bad-field',
      errorAt: 8,
    },
    {
      name: 'DLRR block that is not whole sub-blocks',
      bytes: [...xrHeader(3), 0x05, 0x00, 0x00, 0x01, 0, 0, 0, 5],
      error: 'bad-field',
      errorAt: 8,
    },
  ];
  runDecoderTable(decodeExtendedReport, cases, (got, c) => expect(got).toEqual({ pt: 207, ssrc: 99, offset: 0, length: c.bytes.length, blocks: c.want }));
});
