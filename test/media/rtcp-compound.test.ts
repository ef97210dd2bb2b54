import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound, walkRtcpCompound } from '../../src/media/rtcp/compound.js';

// prettier-ignore
const rr = [
  0x80, 0xc9, 0x00, 0x01, // RR, RC=0, length=1 word
  0x00, 0x00, 0x00, 0x01, // SSRC 1
];
// prettier-ignore
const sdes = [
  0x81, 0xca, 0x00, 0x02, // SDES, SC=1, length=2 words
  0x00, 0x00, 0x00, 0x01, // SSRC 1
  0x01, 0x01, 0x78, 0x00, // CNAME "x", END
];
// prettier-ignore
const bye = [
  0x81, 0xcb, 0x00, 0x01, // BYE, SC=1
  0x00, 0x00, 0x00, 0x01,
];
// prettier-ignore
const pli = [
  0x81, 0xce, 0x00, 0x02, // PSFB PLI
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
];

const decode = (bytes: number[]) => decodeRtcpCompound(Uint8Array.from(bytes));
const summary = (bytes: number[]) => {
  const c = decode(bytes);
  return { pts: c.packets.map((p) => [p.pt, p.offset, p.length]), errors: c.errors.map((e) => [e.code, e.offset]), reducedSize: c.reducedSize };
};

describe('decodeRtcpCompound', () => {
  const cases: { name: string; bytes: number[]; want: ReturnType<typeof summary> }[] = [
    {
      name: 'RR + SDES + BYE',
      bytes: [...rr, ...sdes, ...bye],
      want: { pts: [[201, 0, 8], [202, 8, 12], [203, 20, 8]], errors: [], reducedSize: false },
    },
    {
      name: 'reduced-size: a lone PLI (RFC 5506)',
      bytes: pli,
      want: { pts: [[206, 0, 12]], errors: [], reducedSize: true },
    },
    {
      name: 'unknown packet type kept as pt + length',
      // prettier-ignore
      bytes: [...rr,
        0x80, 0xd0, 0x00, 0x02, // PT=208 (unassigned here), length=2 words
        0x00, 0x00, 0x00, 0x05, 0xaa, 0xbb, 0xcc, 0xdd,
      ],
      want: { pts: [[201, 0, 8], [208, 8, 12]], errors: [], reducedSize: false },
    },
    {
      name: 'padding on the last packet',
      // prettier-ignore
      bytes: [...rr,
        0xa1, 0xcb, 0x00, 0x02, // BYE with P=1, SC=1, length=2 words
        0x00, 0x00, 0x00, 0x09, // SSRC 9
        0x00, 0x00, 0x00, 0x04, // 4 bytes of padding, count in the last octet
      ],
      want: { pts: [[201, 0, 8], [203, 8, 12]], errors: [], reducedSize: false },
    },
    {
      name: 'padding count of zero',
      bytes: [...rr, 0xa1, 0xcb, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 0],
      want: { pts: [[201, 0, 8]], errors: [['bad-padding', 19]], reducedSize: false },
    },
    {
      name: 'padding count larger than the packet body',
      bytes: [...rr, 0xa1, 0xcb, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 0x0d],
      want: { pts: [[201, 0, 8]], errors: [['bad-padding', 19]], reducedSize: false },
    },
    {
      name: 'padding bit on a packet that is not the last',
      bytes: [0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 1, ...bye],
      want: { pts: [[203, 8, 8]], errors: [['bad-padding', 0]], reducedSize: false },
    },
    {
      name: 'length past the end keeps what came before',
      bytes: [...rr, 0x81, 0xca, 0x00, 0x09, 0, 0, 0, 1],
      want: { pts: [[201, 0, 8]], errors: [['length-past-end', 8]], reducedSize: false },
    },
    {
      name: 'bad version stops the walk',
      bytes: [...rr, 0x40, 0xca, 0x00, 0x01, 0, 0, 0, 1, ...bye],
      want: { pts: [[201, 0, 8]], errors: [['bad-version', 8]], reducedSize: false },
    },
    {
      name: 'trailing bytes too short for a header',
      bytes: [...rr, 0x80, 0xc9],
      want: { pts: [[201, 0, 8]], errors: [['packet-too-short', 8]], reducedSize: false },
    },
    {
      name: 'a bad body with a sane length: packets before and after are kept',
      bytes: [...rr, 0x82, 0xcb, 0x00, 0x01, 0, 0, 0, 1, ...sdes], // BYE claims 2 sources
      want: { pts: [[201, 0, 8], [202, 16, 12]], errors: [['report-count-overflow', 8]], reducedSize: false },
    },
    {
      name: 'empty datagram',
      bytes: [],
      want: { pts: [], errors: [['packet-too-short', 0]], reducedSize: false },
    },
  ];
  for (const c of cases) it(c.name, () => expect(summary(c.bytes)).toEqual(c.want));

  it('decodes a compound inside a larger buffer with offsets relative to it', () => {
    const buf = Uint8Array.from([0xff, 0xff, 0xff, ...rr, ...sdes, 0xee]);
    const c = decodeRtcpCompound(buf, 3, rr.length + sdes.length);
    expect(c.errors).toEqual([]);
    expect(c.packets.map((p) => p.offset)).toEqual([0, 8]);
    expect(c.packets[1]).toMatchObject({ chunks: [{ ssrc: 1, items: [{ type: 1, text: 'x' }] }] });
  });

  it('padding is removed before the body is read', () => {
    // SDES whose chunk would look unterminated if the padding octets were read as items
    const c = decode([0xa1, 0xca, 0x00, 0x03, 0, 0, 0, 1, 0x01, 0x01, 0x78, 0x00, 0x07, 0x00, 0x00, 0x04]);
    expect(c.errors).toEqual([]);
    expect(c.packets[0]).toMatchObject({ pt: 202, length: 16, chunks: [{ items: [{ type: 1, text: 'x' }] }] });
  });
});

describe('walkRtcpCompound', () => {
  it('visits every packet header without decoding bodies', () => {
    const seen: number[][] = [];
    const bytes = Uint8Array.from([0, ...rr, ...sdes, ...pli]);
    expect(walkRtcpCompound(bytes, 1, bytes.length - 1, (pt, fmt, off, len) => seen.push([pt, fmt, off, len]))).toBe(3);
    expect(seen).toEqual([[201, 0, 1, 8], [202, 1, 9, 12], [206, 1, 21, 12]]);
  });
  it('counts a packet with a bad body (it only reads headers)', () => {
    const bytes = Uint8Array.from([0x82, 0xcb, 0x00, 0x01, 0, 0, 0, 1]);
    expect(walkRtcpCompound(bytes, 0, bytes.length, () => {})).toBe(1);
  });
  const failures: [string, number[]][] = [
    ['shorter than a header', [0x80, 0xc9]],
    ['length past the end', [...rr, 0x80, 0xc9, 0x00, 0x05, 0, 0, 0, 1]],
    ['bad version', [...rr, 0x00, 0xc9, 0x00, 0x01, 0, 0, 0, 1]],
    ['trailing bytes', [...rr, 0x80]],
  ];
  for (const [name, bytes] of failures) {
    it(`returns -1 for ${name}`, () => {
      let visits = 0;
      expect(walkRtcpCompound(Uint8Array.from(bytes), 0, bytes.length, () => visits++)).toBe(-1);
      expect(visits).toBe(bytes.length >= 8 ? 1 : 0);
    });
  }
});

describe('an IJ packet (RFC 5450 §3: header and jitter values, no SSRC)', () => {
  it('takes the SSRC of the SR or RR it follows, not its first jitter value', () => {
    // RR of 0x404c61df with no blocks, then IJ with two jitter values 0x12345678, 0x9
    const bytes = Buffer.from('80c90001404c61df' + '82c30002' + '12345678' + '00000009', 'hex');
    const { packets, errors } = decodeRtcpCompound(Uint8Array.from(bytes));
    expect(errors).toEqual([]);
    expect(packets.map((p) => [p.pt, p.ssrc, p.offset, p.length])).toEqual([
      [201, 0x404c61df, 0, 8],
      [195, 0x404c61df, 8, 12],
    ]);
  });
});
