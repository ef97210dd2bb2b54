import { describe, expect, it } from 'vitest';
import { type DecoderCase, runDecoderTable } from './decoder-table.js';
import { decodeSourceDescription } from '../../src/media/rtcp/sdes.js';
import type { RtcpDecodeError } from '../../src/media/rtcp/types.js';

const ascii = (s: string) => [...Buffer.from(s, 'utf8')];

describe('decodeSourceDescription', () => {
  const cases: DecoderCase[] = [
    {
      name: 'one chunk with a CNAME whose length counts a NUL terminator (heplify capture)',
      // prettier-ignore
      bytes: [
        0x81, 0xca, 0x00, 0x03, // V=2 SC=1, PT=202, length=3 words
        0x42, 0xf4, 0x33, 0xd4, // SSRC = 1123300308
        0x01, 0x03, ...ascii('c0'), 0x00, // CNAME, length 3: "c0" + a C string terminator
        0x00, 0x00, 0x00,       // END + padding to the word
      ],
      want: { pt: 202, ssrc: 1123300308, length: 16, chunks: [{ ssrc: 1123300308, items: [{ type: 1, text: 'c0' }] }] },
    },
    {
      name: 'PRIV aipref, MID, RtpStreamId, RepairedRtpStreamId and UTF-8 NAME',
      // prettier-ignore
      bytes: [
        0x81, 0xca, 0x00, 0x0a, // SC=1, length=10 words (44 bytes)
        0x00, 0x00, 0x00, 0x2a, // SSRC = 42
        0x08, 0x0d, 0x06, ...ascii('aipref'), ...ascii('apt-01'),   // PRIV: len 13, prefix len 6
        0x0c, 0x01, ...ascii('a'),                                 // MID "a"
        0x0d, 0x02, ...ascii('hi'),                                // RtpStreamId "hi"
        0x0e, 0x02, ...ascii('lo'),                                // RepairedRtpStreamId "lo"
        0x02, 0x06, ...ascii('Zoë'), 0x21, 0x21,                   // NAME "Zoë!!" (ë is 2 bytes)
        0x00, 0x00,                                                // END + padding to the word
      ],
      want: {
        ssrc: 42,
        chunks: [{ ssrc: 42, items: [
          { type: 8, prefix: 'aipref', value: 'apt-01' },
          { type: 12, text: 'a' },
          { type: 13, text: 'hi' },
          { type: 14, text: 'lo' },
          { type: 2, text: 'Zoë!!' },
        ] }],
      },
    },
    {
      name: 'two chunks, the first with no items',
      // prettier-ignore
      bytes: [
        0x82, 0xca, 0x00, 0x04, // SC=2, length=4 words
        0x00, 0x00, 0x00, 0x01, // SSRC 1
        0x00, 0x00, 0x00, 0x00, // END + padding
        0x00, 0x00, 0x00, 0x02, // SSRC 2
        0x01, 0x01, 0x78, 0x00, // CNAME "x", END
      ],
      want: { ssrc: 1, chunks: [{ ssrc: 1, items: [] }, { ssrc: 2, items: [{ type: 1, text: 'x' }] }] },
    },
    {
      name: 'SDES with no chunks',
      bytes: [0x80, 0xca, 0x00, 0x00],
      want: { ssrc: 0, chunks: [] },
    },
    {
      name: 'chunk count that does not fit',
      bytes: [0x82, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x01, 0x78, 0x00], // SC=2, one chunk there
      error: 'report-count-overflow',
      errorAt: 0,
    },
    {
      name: 'item text running past the packet',
      bytes: [0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 0x78, 0x00], // CNAME claims 9 bytes
      error: 'sdes-item-overrun',
      errorAt: 8,
    },
    {
      name: 'item header cut at the end of the packet',
      bytes: [0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x01, 0x78, 0x01], // a type octet with no length
      error: 'sdes-item-overrun',
      errorAt: 11,
    },
    {
      name: 'chunk with no terminating null octet',
      bytes: [0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 0x78, 0x79],
      error: 'sdes-item-overrun',
      errorAt: 12,
    },
    {
      name: 'PRIV prefix longer than its item',
      bytes: [0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x08, 0x01, 0x05, 0x00], // item len 1, prefix len 5
      error: 'sdes-item-overrun',
      errorAt: 8,
    },
    {
      name: 'empty PRIV item (no prefix length octet)',
      bytes: [0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x08, 0x00, 0x00, 0x00],
      error: 'sdes-item-overrun',
      errorAt: 8,
    },
  ];
  runDecoderTable(decodeSourceDescription, cases, (got, c) => expect(got).toMatchObject(c.want!));

  it('rejects chunk padding that runs past padded-off content', () => {
    // the content ends (RTCP padding removed) right after the END octet mid-word
    const bytes = Uint8Array.from([0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x01, 0x78, 0x00]);
    const errors: RtcpDecodeError[] = [];
    expect(decodeSourceDescription(bytes, 0, 12, errors, 0, 11)).toBeNull();
    expect(errors[0]).toMatchObject({ code: 'sdes-item-overrun' });
  });
});
