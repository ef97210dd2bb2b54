/**
 * The RTCP compounds a stream's sender emits (RFC 3550 §6.1 order): SR or RR with a report
 * block about the peer, SDES (CNAME, MID, PRIV aipref, now and then NAME/EMAIL), XR (RRT,
 * DLRR, VoIP metrics on audio) where the call negotiated it, generic NACK and PLI on video now
 * and then, and BYE when the stream ends. Values follow what the peer has sent so far.
 */
import type { RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { RtcpType, SdesItemType, type ReportBlock, type SdesItem, type XrBlock } from '../../src/media/rtcp/types.js';
import { ntpMiddle32, ntpTime, rtpTimestampAt, type StreamRuntime } from './stream-runtime.js';

export interface CompoundContext {
  /** capture time in µs since the epoch */
  epochUs: number;
  /** the same time in µs since the capture's start, the scale the plan uses */
  us: number;
  sendsXr: boolean;
  bye: boolean;
  displayName: string;
}

/** RFC 3550 §6.4.1: DLSR/DLRR are in units of 1/65536 s. */
function delaySince(sinceUs: number, nowUs: number): number {
  return Math.min(0xffffffff, Math.floor(((nowUs - sinceUs) * 65536) / 1e6)) >>> 0;
}

function reportAboutPeer(s: StreamRuntime, ctx: CompoundContext): ReportBlock | null {
  const peer = s.peer;
  if (!peer || peer.sent === 0) return null;
  const lost = Math.floor(peer.sent * s.lossRate);
  return {
    ssrc: peer.plan.ssrc,
    fractionLost: Math.min(255, Math.round(s.lossRate * 256)),
    cumulativeLost: lost,
    highestSeq: (peer.firstSeq + peer.sent - 1) >>> 0,
    jitter: s.rng.int(0, peer.plan.clockRate / 100),
    lsr: peer.lastSr ? peer.lastSr.middle : 0,
    dlsr: peer.lastSr ? delaySince(peer.lastSr.us, ctx.us) : 0,
  };
}

function sdesItems(s: StreamRuntime, ctx: CompoundContext): SdesItem[] {
  const items: SdesItem[] = [{ type: SdesItemType.CNAME, text: s.sender.cname }];
  if (s.plan.sendsSdesMid) items.push({ type: SdesItemType.MID, text: s.plan.mid });
  if (s.plan.sdesPriv !== null) items.push({ type: SdesItemType.PRIV, prefix: 'aipref', value: s.plan.sdesPriv });
  if (s.rng.chance(0.08)) items.push({ type: SdesItemType.NAME, text: ctx.displayName });
  if (s.rng.chance(0.05)) items.push({ type: SdesItemType.EMAIL, text: `${s.sender.user}@example.org` });
  return items;
}

function xrBlocks(s: StreamRuntime, ctx: CompoundContext, ntp: [number, number]): XrBlock[] {
  const blocks: XrBlock[] = [{ bt: 4, ntpSec: ntp[0], ntpFrac: ntp[1] }];
  const peer = s.peer;
  if (peer?.lastRrt) {
    blocks.push({ bt: 5, subBlocks: [{ ssrc: peer.plan.ssrc, lrr: peer.lastRrt.middle, dlrr: delaySince(peer.lastRrt.us, ctx.us) }] });
  }
  if (peer && peer.sent > 0 && s.plan.kind === 'audio') {
    const r = s.rng;
    blocks.push({
      bt: 7,
      ssrc: peer.plan.ssrc,
      lossRate: Math.min(255, Math.round(s.lossRate * 256)),
      discardRate: r.int(0, 3),
      burstDensity: r.int(0, 40),
      gapDensity: r.int(0, 10),
      burstDuration: r.int(0, 200),
      gapDuration: r.int(1000, 20000),
      roundTripDelay: r.int(20, 180),
      endSystemDelay: r.int(40, 120),
      // signed dBm (RFC 3611 §4.7.4)
      signalLevel: -r.int(15, 30),
      noiseLevel: -r.int(55, 70),
      rerl: 127,
      gmin: 16,
      rFactor: r.int(70, 93),
      extRFactor: 127,
      mosLq: r.int(36, 44),
      mosCq: r.int(35, 43),
      rxConfig: 0x30,
      jbNominal: 40,
      jbMaximum: 80,
      jbAbsMax: 200,
    });
  }
  return blocks;
}

/** Builds one compound and records, on the stream, what its peer's later reports will echo. */
export function buildRtcpCompound(s: StreamRuntime, ctx: CompoundContext): RtcpPacketInput[] {
  const ntp = ntpTime(ctx.epochUs);
  const block = reportAboutPeer(s, ctx);
  const reports = block ? [block] : [];
  const packets: RtcpPacketInput[] = [];
  if (s.plan.reportsAsReceiver || s.sent === 0) {
    packets.push({ pt: RtcpType.RR, ssrc: s.plan.ssrc, reports });
  } else {
    packets.push({
      pt: RtcpType.SR,
      ssrc: s.plan.ssrc,
      ntpSec: ntp[0],
      ntpFrac: ntp[1],
      rtpTs: rtpTimestampAt(s, ctx.us),
      packetCount: s.sent >>> 0,
      octetCount: s.octets >>> 0,
      reports,
    });
    s.lastSr = { middle: ntpMiddle32(ntp), us: ctx.us };
  }
  packets.push({ pt: RtcpType.SDES, ssrc: s.plan.ssrc, chunks: [{ ssrc: s.plan.ssrc, items: sdesItems(s, ctx) }] });
  if (ctx.sendsXr) {
    packets.push({ pt: RtcpType.XR, ssrc: s.plan.ssrc, blocks: xrBlocks(s, ctx, ntp) });
    s.lastRrt = { middle: ntpMiddle32(ntp), us: ctx.us };
  }
  const peer = s.peer;
  if (!ctx.bye && s.plan.kind === 'video' && peer && peer.sent > 20) {
    if (s.rng.chance(0.2)) {
      const lostSeq = (peer.firstSeq + peer.sent - s.rng.int(5, 20)) & 0xffff;
      packets.push({
        pt: RtcpType.RTPFB,
        ssrc: s.plan.ssrc,
        fmt: 1,
        senderSsrc: s.plan.ssrc,
        mediaSsrc: peer.plan.ssrc,
        nacks: [{ pid: lostSeq, blp: s.rng.int(0, 0xffff) }],
      });
    }
    if (s.rng.chance(0.1)) {
      packets.push({ pt: RtcpType.PSFB, ssrc: s.plan.ssrc, fmt: 1, senderSsrc: s.plan.ssrc, mediaSsrc: peer.plan.ssrc });
    }
  }
  if (ctx.bye) packets.push({ pt: RtcpType.BYE, ssrc: s.plan.ssrc, ssrcs: [s.plan.ssrc] });
  return packets;
}
