/**
 * Cross-check against werift's RTCP decoder on every packet type werift decodes (SR, RR,
 * SDES, generic NACK, TWCC, PLI, FIR, REMB): same bytes in, same field values out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GenericNack,
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  RtcpPacketConverter,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
  TransportWideCC,
  type RtcpReceiverInfo,
} from 'werift';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import type { ReportBlock, RtcpPacket } from '../../src/media/rtcp/types.js';
import {
  nackArb,
  receiverReportArb,
  rembArb,
  sdesChunksArb,
  sdesTextItemArb,
  senderReportArb,
  twccArb,
} from './rtcp-arbitraries.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

function sameReports(ours: ReportBlock[], theirs: RtcpReceiverInfo[]) {
  expect(theirs.map((r) => ({ ...r }))).toEqual(
    ours.map((r) => ({
      ssrc: r.ssrc,
      fractionLost: r.fractionLost,
      // werift reads the 24-bit field unsigned
      packetsLost: r.cumulativeLost & 0xffffff,
      highestSequence: r.highestSeq,
      jitter: r.jitter,
      lsr: r.lsr,
      dlsr: r.dlsr,
    })),
  );
}

/** werift expands a NACK into the lost sequence numbers. */
function lostSequenceNumbers(nacks: { pid: number; blp: number }[]): number[] {
  const lost: number[] = [];
  for (const { pid, blp } of nacks) {
    lost.push(pid);
    for (let bit = 0; bit < 16; bit++) if (blp & (1 << bit)) lost.push((pid + bit + 1) & 0xffff);
  }
  return lost;
}

function bothDecoders(ps: RtcpPacketInput[]): { ours: RtcpPacket[]; theirs: unknown[] } {
  const bytes = encodeRtcpCompound(ps);
  const c = decodeRtcpCompound(bytes);
  expect(c.errors).toEqual([]);
  return { ours: c.packets, theirs: RtcpPacketConverter.deSerialize(Buffer.from(bytes)) };
}

function compare(ours: RtcpPacket, theirs: unknown): void {
  if ('unknown' in ours) throw new Error(`werift decodes no pt ${ours.pt}`);
  switch (ours.pt) {
    case 200: {
      expect(theirs).toBeInstanceOf(RtcpSrPacket);
      const sr = theirs as RtcpSrPacket;
      expect(sr.ssrc).toBe(ours.ssrc);
      expect(sr.senderInfo.ntpTimestamp).toBe((BigInt(ours.ntpSec) << 32n) | BigInt(ours.ntpFrac));
      expect(sr.senderInfo.rtpTimestamp).toBe(ours.rtpTs);
      expect(sr.senderInfo.packetCount).toBe(ours.packetCount);
      expect(sr.senderInfo.octetCount).toBe(ours.octetCount);
      sameReports(ours.reports, sr.reports);
      return;
    }
    case 201: {
      expect(theirs).toBeInstanceOf(RtcpRrPacket);
      const rr = theirs as RtcpRrPacket;
      expect(rr.ssrc).toBe(ours.ssrc);
      sameReports(ours.reports, rr.reports);
      return;
    }
    case 202: {
      expect(theirs).toBeInstanceOf(RtcpSourceDescriptionPacket);
      const sdes = theirs as RtcpSourceDescriptionPacket;
      expect(sdes.chunks.map((c) => ({ ssrc: c.source, items: c.items.map((i) => ({ type: i.type, text: i.text })) }))).toEqual(
        ours.chunks,
      );
      return;
    }
    case 205: {
      expect(theirs).toBeInstanceOf(RtcpTransportLayerFeedback);
      const fb = (theirs as RtcpTransportLayerFeedback).feedback;
      if (ours.fmt === 1) {
        expect(fb).toBeInstanceOf(GenericNack);
        const nack = fb as GenericNack;
        expect([nack.senderSsrc, nack.mediaSourceSsrc]).toEqual([ours.senderSsrc, ours.mediaSsrc]);
        // werift does not wrap PID + n past 65535 (it reports 65536); compare modulo 2^16
        expect(nack.lost.map((seq) => seq & 0xffff)).toEqual(lostSequenceNumbers(ours.nacks!));
      } else {
        expect(fb).toBeInstanceOf(TransportWideCC);
        const twcc = fb as TransportWideCC;
        expect([twcc.senderSsrc, twcc.mediaSourceSsrc]).toEqual([ours.senderSsrc, ours.mediaSsrc]);
        // werift's receive deltas carry each received packet's symbol (1 small, 2 large) and its delta in µs
        expect({
          baseSeq: twcc.baseSequenceNumber,
          statusCount: twcc.packetStatusCount,
          referenceTime: twcc.referenceTime,
          fbCount: twcc.fbPktCount,
          received: twcc.recvDeltas.map((d) => [d.type, d.delta]),
        }).toEqual({
          baseSeq: ours.twcc!.baseSeq,
          statusCount: ours.twcc!.statusCount,
          referenceTime: ours.twcc!.referenceTime,
          fbCount: ours.twcc!.fbCount,
          received: [...ours.twcc!.status!].filter((s) => s !== '0').map((s, i) => [Number(s), ours.twcc!.deltasUs![i]]),
        });
      }
      return;
    }
    case 206: {
      expect(theirs).toBeInstanceOf(RtcpPayloadSpecificFeedback);
      const fb = (theirs as RtcpPayloadSpecificFeedback).feedback;
      if (ours.fmt === 1) {
        expect(fb).toBeInstanceOf(PictureLossIndication);
        const pli = fb as PictureLossIndication;
        expect([pli.senderSsrc, pli.mediaSsrc]).toEqual([ours.senderSsrc, ours.mediaSsrc]);
      } else if (ours.fmt === 4) {
        const fir = fb as unknown as { senderSsrc: number; mediaSsrc: number; fir: { ssrc: number; sequenceNumber: number }[] };
        expect([fir.senderSsrc, fir.mediaSsrc]).toEqual([ours.senderSsrc, ours.mediaSsrc]);
        expect(fir.fir.map((f) => ({ ssrc: f.ssrc, seq: f.sequenceNumber }))).toEqual(ours.fir);
      } else {
        expect(fb).toBeInstanceOf(ReceiverEstimatedMaxBitrate);
        const remb = fb as ReceiverEstimatedMaxBitrate;
        expect([remb.senderSsrc, remb.mediaSsrc]).toEqual([ours.senderSsrc, ours.mediaSsrc]);
        expect(remb.bitrate).toBe(BigInt(ours.remb!.bitrate));
        expect(remb.ssrcFeedbacks).toEqual(ours.remb!.ssrcs);
      }
      return;
    }
    default:
      throw new Error(`no werift comparison for pt ${ours.pt}`);
  }
}

const weriftDecodable: [string, fc.Arbitrary<RtcpPacketInput>][] = [
  ['SR', senderReportArb],
  ['RR', receiverReportArb],
  [
    'SDES (text items; werift does not split PRIV)',
    sdesChunksArb(sdesTextItemArb).map((chunks) => ({ pt: 202 as const, ssrc: chunks[0]?.ssrc ?? 0, chunks })),
  ],
  ['generic NACK', fc.record({ senderSsrc: u32, mediaSsrc: u32, nacks: nackArb }).map((p) => ({ pt: 205 as const, ssrc: p.senderSsrc, fmt: 1, ...p }))],
  ['TWCC', fc.record({ senderSsrc: u32, mediaSsrc: u32, twcc: twccArb }).map((p) => ({ pt: 205 as const, ssrc: p.senderSsrc, fmt: 15, ...p }))],
  ['PLI', fc.record({ senderSsrc: u32, mediaSsrc: u32 }).map((p) => ({ pt: 206 as const, ssrc: p.senderSsrc, fmt: 1, ...p }))],
  [
    'FIR',
    fc
      .record({ senderSsrc: u32, mediaSsrc: u32, fir: fc.array(fc.record({ ssrc: u32, seq: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }) })
      .map((p) => ({ pt: 206 as const, ssrc: p.senderSsrc, fmt: 4, ...p })),
  ],
  [
    'REMB',
    fc.record({ senderSsrc: u32, remb: rembArb }).map((p) => ({ pt: 206 as const, ssrc: p.senderSsrc, fmt: 15, mediaSsrc: 0, ...p })),
  ],
];

describe('agreement with werift RtcpPacketConverter.deSerialize', () => {
  for (const [name, arb] of weriftDecodable) {
    it(name, () => {
      fc.assert(
        fc.property(arb, (p) => {
          const { ours, theirs } = bothDecoders([p]);
          expect(theirs).toHaveLength(1);
          compare(ours[0]!, theirs[0]);
        }),
        { numRuns: 100 },
      );
    });
  }

  // werift hands each packet decoder the rest of the datagram, not the packet: its SDES and
  // NACK decoders read on into the packets that follow. Only fixed-size or counted packets
  // (SR, RR, PLI) can precede the variable one for a fair comparison.
  it('a mixed compound: SR + PLI + NACK', () => {
    const ps: RtcpPacketInput[] = [
      { pt: 200, ssrc: 1, ntpSec: 2, ntpFrac: 3, rtpTs: 4, packetCount: 5, octetCount: 6, reports: [] },
      { pt: 206, ssrc: 1, fmt: 1, senderSsrc: 1, mediaSsrc: 2 },
      { pt: 205, ssrc: 1, fmt: 1, senderSsrc: 1, mediaSsrc: 2, nacks: [{ pid: 10, blp: 3 }] },
    ];
    const { ours, theirs } = bothDecoders(ps);
    expect(theirs).toHaveLength(3);
    ours.forEach((p, i) => compare(p, theirs[i]));
  });
});
