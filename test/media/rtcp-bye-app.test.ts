import { describe } from 'vitest';
import { runDecoderTable } from './decoder-table.js';
import { decodeAppDefined } from '../../src/media/rtcp/app.js';
import { decodeGoodbye } from '../../src/media/rtcp/bye.js';

describe('decodeGoodbye', () => {
  runDecoderTable(decodeGoodbye, [
    {
      name: 'two sources and a reason',
      // prettier-ignore
      bytes: [
        0x82, 0xcb, 0x00, 0x04, // SC=2, PT=203, length=4 words
        0x00, 0x00, 0x00, 0x01, // SSRC 1
        0x00, 0x00, 0x00, 0x02, // SSRC 2
        0x06, 0x63, 0x61, 0x6d, 0x65, 0x72, 0x61, 0x00, // reason length 6 "camera" + pad
      ],
      want: { pt: 203, ssrc: 1, offset: 0, length: 20, ssrcs: [1, 2], reason: 'camera' },
    },
    {
      name: 'one source, no reason',
      bytes: [0x81, 0xcb, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef],
      want: { pt: 203, ssrc: 0xdeadbeef, offset: 0, length: 8, ssrcs: [0xdeadbeef], reason: undefined },
    },
    {
      name: 'no sources at all',
      bytes: [0x80, 0xcb, 0x00, 0x00],
      want: { pt: 203, ssrc: 0, offset: 0, length: 4, ssrcs: [], reason: undefined },
    },
    {
      name: 'source count that does not fit',
      bytes: [0x82, 0xcb, 0x00, 0x01, 0, 0, 0, 1], // SC=2, one SSRC there
      error: 'report-count-overflow',
    },
    {
      name: 'reason running past the packet',
      bytes: [0x81, 0xcb, 0x00, 0x02, 0, 0, 0, 1, 0x09, 0x61, 0x62, 0x63], // reason claims 9 bytes
      error: 'bad-field',
      errorAt: 8,
    },
  ]);
});

describe('decodeAppDefined', () => {
  runDecoderTable(decodeAppDefined, [
    {
      name: 'APP with subtype, name and data',
      // prettier-ignore
      bytes: [
        0x85, 0xcc, 0x00, 0x03, // subtype=5, PT=204, length=3 words
        0x00, 0x00, 0x00, 0x09, // SSRC 9
        0x51, 0x54, 0x53, 0x41, // name "QTSA"
        0x01, 0x02, 0x03, 0x04, // 4 bytes of application data
      ],
      want: { pt: 204, ssrc: 9, offset: 0, length: 16, subtype: 5, name: 'QTSA', dataLength: 4 },
    },
    {
      name: 'APP without a name',
      bytes: [0x80, 0xcc, 0x00, 0x01, 0, 0, 0, 9],
      error: 'packet-too-short',
    },
  ]);
});
