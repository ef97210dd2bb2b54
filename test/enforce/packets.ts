/** Decoded RTCP packets for enforcement tests, built as the decoders would produce them. */
import type {
  AppDefined,
  ExtendedReport,
  Goodbye,
  PayloadFeedback,
  ReceiverReport,
  ReportBlock,
  RtcpCompound,
  RtcpPacket,
  SdesItem,
  SenderReport,
  SourceDescription,
  TransportFeedback,
  VoipMetricsBlock,
  XrBlock,
} from '../../src/media/rtcp/types.js';

export function block(ssrc: number, fields: Partial<ReportBlock> = {}): ReportBlock {
  return { ssrc, fractionLost: 0, cumulativeLost: 0, highestSeq: 1000, jitter: 0, lsr: 0, dlsr: 0, ...fields };
}

export function sr(ssrc: number, reports: ReportBlock[] = [], ntp: { ntpSec: number; ntpFrac: number } = { ntpSec: 3_900_000_000, ntpFrac: 0 }): SenderReport {
  return { pt: 200, ssrc, offset: 0, length: 28 + 24 * reports.length, ...ntp, rtpTs: 1234, packetCount: 50, octetCount: 8000, reports };
}

export function rr(ssrc: number, reports: ReportBlock[] = []): ReceiverReport {
  return { pt: 201, ssrc, offset: 0, length: 8 + 24 * reports.length, reports };
}

export function sdes(chunks: { ssrc: number; items: SdesItem[] }[]): SourceDescription {
  return { pt: 202, ssrc: chunks[0]?.ssrc ?? 0, offset: 0, length: 20, chunks };
}

export function bye(ssrcs: number[], reason?: string): Goodbye {
  return reason === undefined ? { pt: 203, ssrc: ssrcs[0] ?? 0, offset: 0, length: 8, ssrcs } : { pt: 203, ssrc: ssrcs[0] ?? 0, offset: 0, length: 16, ssrcs, reason };
}

export function app(ssrc: number): AppDefined {
  return { pt: 204, ssrc, offset: 0, length: 16, subtype: 1, name: 'TEST', dataLength: 4 };
}

export function nack(sender: number, media: number): TransportFeedback {
  return { pt: 205, ssrc: sender, offset: 0, length: 16, fmt: 1, senderSsrc: sender, mediaSsrc: media, nacks: [{ pid: 10, blp: 0 }] };
}

export function twcc(sender: number, media: number): TransportFeedback {
  return { pt: 205, ssrc: sender, offset: 0, length: 20, fmt: 15, senderSsrc: sender, mediaSsrc: media, twcc: { baseSeq: 1, statusCount: 2, referenceTime: 3, fbCount: 4 } };
}

export function pli(sender: number, media: number): PayloadFeedback {
  return { pt: 206, ssrc: sender, offset: 0, length: 12, fmt: 1, senderSsrc: sender, mediaSsrc: media };
}

export function fir(sender: number, target: number): PayloadFeedback {
  return { pt: 206, ssrc: sender, offset: 0, length: 20, fmt: 4, senderSsrc: sender, mediaSsrc: 0, fir: [{ ssrc: target, seq: 1 }] };
}

export function remb(sender: number, targets: number[]): PayloadFeedback {
  return { pt: 206, ssrc: sender, offset: 0, length: 24, fmt: 15, senderSsrc: sender, mediaSsrc: 0, remb: { bitrate: 500_000, ssrcs: targets } };
}

export function voip(ssrc: number, fields: Partial<VoipMetricsBlock> = {}): VoipMetricsBlock {
  return {
    bt: 7, ssrc, lossRate: 0, discardRate: 0, burstDensity: 0, gapDensity: 0, burstDuration: 0, gapDuration: 0,
    roundTripDelay: 40, endSystemDelay: 20, signalLevel: 127, noiseLevel: 127, rerl: 127, gmin: 16,
    rFactor: 90, extRFactor: 127, mosLq: 42, mosCq: 41, rxConfig: 0, jbNominal: 20, jbMaximum: 60, jbAbsMax: 80,
    ...fields,
  };
}

export function xr(ssrc: number, blocks: XrBlock[]): ExtendedReport {
  return { pt: 207, ssrc, offset: 0, length: 8 + 36 * blocks.length, blocks };
}

export function compound(...packets: RtcpPacket[]): RtcpCompound {
  return { packets, errors: [], reducedSize: packets[0] !== undefined && packets[0].pt !== 200 && packets[0].pt !== 201 };
}
