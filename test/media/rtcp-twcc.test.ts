/**
 * Transport-wide congestion control feedback (RTPFB fmt 15,
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) down to every packet's status and
 * receive delta. Two packets Chrome sent (published as test data by pion/rtcp), read the same
 * by werift; chunks of every kind; and what a broken FCI gives.
 */
import { describe, expect, it } from 'vitest';
import { RtcpPacketConverter, TransportWideCC, RtcpTransportLayerFeedback } from 'werift';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { encodeRtcpCompound, RtcpEncodeError } from '../../src/media/rtcp/encode.js';
import type { TransportFeedback, TransportWideFeedback } from '../../src/media/rtcp/types.js';

// prettier-ignore
const CHROME = [
  // P=1, one packet received 148 × 250 µs after the reference time; one byte of padding
  [0xaf, 0xcd, 0x00, 0x05, 0xfa, 0x17, 0xfa, 0x17, 0x43, 0x03, 0x2f, 0xa0, 0x00, 0x99, 0x00, 0x01,
    0x3d, 0xe8, 0x02, 0x17, 0x20, 0x01, 0x94, 0x01],
  // P=1, a two-bit status vector (small, large, then five unused), deltas 0xf0 and 0xffd0; three bytes of padding
  [0xaf, 0xcd, 0x00, 0x06, 0xfa, 0x17, 0xfa, 0x17, 0x19, 0x3d, 0xd8, 0xbb, 0x01, 0x74, 0x00, 0x02,
    0x45, 0xb1, 0x5a, 0x40, 0xd8, 0x00, 0xf0, 0xff, 0xd0, 0x00, 0x00, 0x03],
].map((b) => Uint8Array.from(b));

/** An RTPFB fmt 15 packet with the given FCI after the fixed TWCC fields (base seq 100, reference time 5, fb count 9). */
function twccPacket(statusCount: number, detail: number[]): Uint8Array {
  const fci = [0x00, 0x64, statusCount >> 8, statusCount & 0xff, 0x00, 0x00, 0x05, 0x09, ...detail];
  while (fci.length % 4) fci.push(0);
  const words = 2 + fci.length / 4;
  return Uint8Array.from([0x8f, 0xcd, 0x00, words, 0, 0, 0, 1, 0, 0, 0, 2, ...fci]);
}

function decodedTwcc(bytes: Uint8Array) {
  const c = decodeRtcpCompound(bytes);
  return { twcc: (c.packets[0] as TransportFeedback).twcc!, errors: c.errors };
}

describe('TWCC feedback', () => {
  it("decodes Chrome's packets as werift does", () => {
    const want: TransportWideFeedback[] = [
      { baseSeq: 153, statusCount: 1, referenceTime: 4057090, fbCount: 23, status: '1', deltasUs: [37000] },
      { baseSeq: 372, statusCount: 2, referenceTime: 4567386, fbCount: 64, status: '12', deltasUs: [60000, -12000] },
    ];
    CHROME.forEach((bytes, i) => {
      const c = decodeRtcpCompound(bytes);
      expect(c.errors).toEqual([]);
      expect(c.packets).toMatchObject([{ pt: 205, fmt: 15, senderSsrc: 0xfa17fa17, twcc: want[i] }]);
      const theirs = RtcpPacketConverter.deSerialize(Buffer.from(bytes))[0] as RtcpTransportLayerFeedback;
      const fb = theirs.feedback as TransportWideCC;
      expect(fb.recvDeltas.map((d) => [d.type, d.delta])).toEqual([...want[i]!.status!].map((s, k) => [Number(s), want[i]!.deltasUs![k]]));
    });
  });

  it('re-encodes the second as Chrome wrote its chunk and deltas', () => {
    const fb = decodeRtcpCompound(CHROME[1]!).packets[0] as TransportFeedback;
    const ours = encodeRtcpCompound([fb]);
    // the same 26 bytes up to the padding (Chrome pads with the P bit, the encoder with zeros)
    expect([...ours.subarray(4, 26)]).toEqual([...CHROME[1]!.subarray(4, 26)]);
  });

  it('reads run length chunks, one-bit and two-bit status vectors, with the last extra symbols unused', () => {
    const { twcc, errors } = decodedTwcc(
      twccPacket(40, [
        0x20, 0x08, // run length: 8 × received, small delta
        0x00, 0x05, // run length: 5 × not received
        0xac, 0x01, // one-bit vector: 1 0 1 1 0 0 0 0 0 0 0 0 0 1
        0xe4, 0x00, // two-bit vector: 2 1 0 0 0 0 0
        0x00, 0x0f, // run length of 15 not received, 6 of them unused
        // deltas: 8 small, 4 small from the one-bit vector, then one large and one small
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0xff, 0xfe, 13,
      ]),
    );
    expect(errors).toEqual([]);
    expect(twcc.status).toBe('11111111' + '00000' + '10110000000001' + '2100000' + '000000');
    expect(twcc.deltasUs).toEqual([...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((d) => d * 250), -500, 13 * 250]);
  });

  it('a broken FCI keeps the fixed fields, leaves the statuses out and says where, and the compound goes on', () => {
    const cases: [string, Uint8Array, { code: string; offset: number; message: RegExp }][] = [
      // the FCI's two bytes of padding read as an empty run, then nothing
      ['chunks end early', twccPacket(30, [0x80, 0x00]), { code: 'packet-too-short', offset: 24, message: /packet chunks end after 14 of 30/ }],
      ['reserved symbol in a run', twccPacket(3, [0x60, 0x03]), { code: 'bad-field', offset: 20, message: /reserved status symbol 3/ }],
      ['reserved symbol in a two-bit vector', twccPacket(10, [0xc0, 0x00, 0xf0, 0x00]), { code: 'bad-field', offset: 22, message: /reserved status symbol 3 for packet 7/ }],
      ['deltas end early', twccPacket(3, [0x40, 0x03, 0x00, 0x01]), { code: 'packet-too-short', offset: 24, message: /receive deltas end after 1 of the received packets/ }],
    ];
    for (const [name, bytes, error] of cases) {
      const pli = Uint8Array.from([0x81, 0xce, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2]);
      const c = decodeRtcpCompound(Uint8Array.from([...bytes, ...pli]));
      expect(c.errors, name).toEqual([expect.objectContaining({ code: error.code, offset: error.offset, message: expect.stringMatching(error.message) })]);
      const twcc = (c.packets[0] as TransportFeedback).twcc!;
      expect(twcc, name).toEqual({ baseSeq: 100, statusCount: twcc.statusCount, referenceTime: 5, fbCount: 9 });
      expect(c.packets[1], name).toMatchObject({ pt: 206, fmt: 1 });
    }
  });

  it('the encoder picks run length chunks for long runs and refuses statuses that do not match their deltas', () => {
    const twcc = (status: string, deltasUs: number[]): TransportFeedback => ({
      pt: 205, ssrc: 1, offset: 0, length: 0, fmt: 15, senderSsrc: 1, mediaSsrc: 2,
      twcc: { baseSeq: 7, statusCount: status.length, referenceTime: 1, fbCount: 2, status, deltasUs },
    });
    const long = '0'.repeat(9000) + '1'.repeat(7);
    const bytes = encodeRtcpCompound([twcc(long, Array<number>(7).fill(250))]);
    // two run length chunks for 8191 and 809 not received, one for the 7 received, 7 one-byte deltas
    expect([...bytes.subarray(20, 26)]).toEqual([0x1f, 0xff, 0x03, 0x29, 0x20, 0x07]);
    expect(decodedTwcc(bytes).twcc).toMatchObject({ status: long, deltasUs: Array<number>(7).fill(250) });
    expect(() => encodeRtcpCompound([twcc('101', [250])])).toThrow(RtcpEncodeError);
    expect(() => encodeRtcpCompound([twcc('1', [125])])).toThrow(/does not fit a small delta/);
    expect(() => encodeRtcpCompound([twcc('3', [])])).toThrow(/not 0, 1 or 2/);
  });
});
