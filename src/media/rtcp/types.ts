/**
 * Decoded RTCP packets. Field names follow SPEC §8 (`inspect --json`), which other tools rely
 * on: rename nothing. Every packet records where it lay in the compound (`offset`, `length`
 * in bytes including its 4-byte header) so that decisions and malformation reports can name it.
 */

export const RtcpType = {
  SR: 200,
  RR: 201,
  SDES: 202,
  BYE: 203,
  APP: 204,
  RTPFB: 205,
  PSFB: 206,
  XR: 207,
} as const;

export interface ReportBlock {
  ssrc: number;
  /** 8-bit fixed point fraction, as on the wire (0..255) */
  fractionLost: number;
  /** signed 24-bit */
  cumulativeLost: number;
  highestSeq: number;
  jitter: number;
  lsr: number;
  dlsr: number;
}

interface RtcpBase {
  pt: number;
  /** the sender's SSRC (SDES: first chunk's; BYE: first listed; 0 where the packet has none) */
  ssrc: number;
  offset: number;
  length: number;
}

export interface SenderReport extends RtcpBase {
  pt: 200;
  ntpSec: number;
  ntpFrac: number;
  rtpTs: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
}

export interface ReceiverReport extends RtcpBase {
  pt: 201;
  reports: ReportBlock[];
}

export const SdesItemType = {
  END: 0,
  CNAME: 1,
  NAME: 2,
  EMAIL: 3,
  PHONE: 4,
  LOC: 5,
  TOOL: 6,
  NOTE: 7,
  PRIV: 8,
  H323_CADDR: 9,
  APSI: 10,
  RGRP: 11,
  MID: 12, // RFC 8843
  RTP_STREAM_ID: 13, // RFC 8852
  REPAIRED_RTP_STREAM_ID: 14,
} as const;

export type SdesItem = { type: number; text: string } | { type: 8; prefix: string; value: string };

/** Whether an SDES item is a PRIV item of prefix `aipref` (any case): an AI preference tag. */
export function isAiprefItem(item: SdesItem): item is { type: 8; prefix: string; value: string } {
  return item.type === SdesItemType.PRIV && 'prefix' in item && item.prefix.toLowerCase() === 'aipref';
}

export interface SdesChunk {
  ssrc: number;
  items: SdesItem[];
}

export interface SourceDescription extends RtcpBase {
  pt: 202;
  chunks: SdesChunk[];
}

export interface Goodbye extends RtcpBase {
  pt: 203;
  ssrcs: number[];
  reason?: string;
}

export interface AppDefined extends RtcpBase {
  pt: 204;
  subtype: number;
  /** four ASCII characters */
  name: string;
  dataLength: number;
}

export interface NackPair {
  pid: number;
  blp: number;
}

export interface TransportFeedback extends RtcpBase {
  pt: 205;
  /** 1 generic NACK, 15 transport-wide congestion control, others kept as fmt */
  fmt: number;
  senderSsrc: number;
  mediaSsrc: number;
  nacks?: NackPair[];
  /** TWCC (fmt 15) */
  twcc?: TransportWideFeedback;
  /**
   * TMMBR (fmt 3) and TMMBN (fmt 4) FCI entries (RFC 5104 §4.2.1.1, §4.2.2.1): the media
   * sender each is about (the header's media SSRC is 0), its maximum total media bit rate
   * (MxTBR mantissa × 2^exp, bits/s) and measured overhead (bytes per packet)
   */
  tmmb?: { ssrc: number; bitrate: number; overhead: number }[];
  /** RFC 8888 congestion control feedback (fmt 11); its header has no media SSRC (`mediaSsrc` 0) */
  ccfb?: CongestionControlFeedback;
  /** RFC 7728 PAUSE/RESUME (fmt 9) FCI entries; absent when the FCI holds none */
  pauseResume?: PauseResumeEntry[];
}

/**
 * An RFC 7728 §8.1 PAUSE/RESUME FCI entry: the media sender it is about (`ssrc`, the Target SSRC;
 * the header's media SSRC is 0), its `type` (0 PAUSE, 1 RESUME, 2 PAUSED, 3 REFUSED) and
 * `pauseId`. Type Specific words are skipped.
 */
export interface PauseResumeEntry {
  ssrc: number;
  type: number;
  pauseId: number;
}

/**
 * RFC 8888 §3.1: per RTP stream reported on, which packets from `beginSeq` on arrived — each
 * report's R bit (`received`), its ECN bits and its arrival time offset (`ato`, in 1/1024 s
 * before `reportTimestamp`; 0x1FFF: over-range, 0x1FFE: unavailable) — and when the report was
 * sent (`reportTimestamp`, the middle 32 bits of an NTP time).
 */
export interface CongestionControlFeedback {
  streams: { ssrc: number; beginSeq: number; reports: { received: boolean; ecn: number; ato: number }[] }[];
  reportTimestamp: number;
}

/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1): which of `statusCount` packets from `baseSeq` on arrived, and when. `status` and
 * `deltasUs` are absent when the packet chunks or receive deltas do not fit the packet (an
 * error says where).
 */
export interface TransportWideFeedback {
  baseSeq: number;
  statusCount: number;
  /** in units of 64 ms (a signed 24-bit count on the wire, kept as sent: 0..2^24-1) */
  referenceTime: number;
  fbCount: number;
  /**
   * one character per packet, in sequence order from `baseSeq`: '0' not received, '1' received
   * with a small delta, '2' received with a large or negative delta
   */
  status?: string;
  /** the receive deltas of the received packets, in order, in microseconds (multiples of 250) */
  deltasUs?: number[];
}

export interface PayloadFeedback extends RtcpBase {
  pt: 206;
  /** 1 PLI, 4 FIR, 15 application layer (REMB when it says so) */
  fmt: number;
  senderSsrc: number;
  mediaSsrc: number;
  fir?: { ssrc: number; seq: number }[];
  remb?: { bitrate: number; ssrcs: number[] };
  /** TSTR (fmt 5) and TSTN (fmt 6) FCI entries (RFC 5104 §4.3.2.1, §4.3.3.1): the media sender each is about */
  tst?: { ssrc: number; seq: number; index: number }[];
  /** VBCM (fmt 7) FCI entries (RFC 5104 §4.3.4.1): the media sender, the payload type, the octet string's length */
  vbcm?: { ssrc: number; seq: number; pt: number; length: number }[];
}

/** RFC 3611 §4.7 VoIP metrics (bt 7). Values as on the wire (127 = unavailable where the RFC says so). */
export interface VoipMetricsBlock {
  bt: 7;
  ssrc: number;
  lossRate: number;
  discardRate: number;
  burstDensity: number;
  gapDensity: number;
  burstDuration: number;
  gapDuration: number;
  roundTripDelay: number;
  endSystemDelay: number;
  /** signed dBm (two's complement on the wire, as tshark shows it); 127 = unavailable */
  signalLevel: number;
  /** signed dBm; 127 = unavailable */
  noiseLevel: number;
  rerl: number;
  gmin: number;
  rFactor: number;
  extRFactor: number;
  /** MOS values are on the wire in tenths (e.g. 41 = 4.1) */
  mosLq: number;
  mosCq: number;
  rxConfig: number;
  jbNominal: number;
  jbMaximum: number;
  jbAbsMax: number;
}

export type XrBlock =
  | { bt: 1 | 2; ssrc: number; thinning: number; beginSeq: number; endSeq: number; chunks: number[] }
  | { bt: 3; ssrc: number; thinning: number; beginSeq: number; endSeq: number; receiptTimes: number[] }
  | { bt: 4; ntpSec: number; ntpFrac: number }
  | { bt: 5; subBlocks: { ssrc: number; lrr: number; dlrr: number }[] }
  | {
      bt: 6;
      ssrc: number;
      flags: number;
      beginSeq: number;
      endSeq: number;
      lostPackets: number;
      dupPackets: number;
      minJitter: number;
      maxJitter: number;
      meanJitter: number;
      devJitter: number;
      minTtlOrHl: number;
      maxTtlOrHl: number;
      meanTtlOrHl: number;
      devTtlOrHl: number;
    }
  | VoipMetricsBlock
  /**
   * A block type not decoded: `ssrc` is its bytes 4–7, where the report blocks registered since
   * RFC 3611 put the SSRC of the source they report on (RFC 6792 §5.1; e.g. RFC 7005 de-jitter
   * buffer, RFC 6776 measurement information), when the block has them
   */
  | { bt: number; typeSpecific: number; length: number; unknown: true; ssrc?: number };

export interface ExtendedReport extends RtcpBase {
  pt: 207;
  blocks: XrBlock[];
}

export interface UnknownRtcp extends RtcpBase {
  unknown: true;
  /**
   * An IJ packet's (RFC 5450 §3): the sources of the report blocks of the SR or RR before it,
   * whose jitter its values are, in order.
   */
  about?: number[];
}

export type RtcpPacket =
  | SenderReport
  | ReceiverReport
  | SourceDescription
  | Goodbye
  | AppDefined
  | TransportFeedback
  | PayloadFeedback
  | ExtendedReport
  | UnknownRtcp;

/**
 * The packets whose `pt` tells their shape. UnknownRtcp's `pt: number` overlaps every literal,
 * so narrow with `'unknown' in p` first; then `switch (p.pt)` narrows to one type.
 */
export type KnownRtcpPacket = Exclude<RtcpPacket, UnknownRtcp>;

/** A named decoding error with the byte offset (within the compound) where it was found. */
export interface RtcpDecodeError {
  code:
    | 'packet-too-short'
    | 'bad-version'
    | 'length-past-end'
    /** the capture's snap length cut the datagram here: what follows was not recorded */
    | 'snaplen-cut'
    | 'bad-padding'
    | 'report-count-overflow'
    | 'sdes-item-overrun'
    | 'xr-block-overrun'
    | 'bad-field';
  offset: number;
  message: string;
  /**
   * An SDES packet that broke: the chunks read before the break, the one it broke in holding
   * the items before it (items are self-delimiting, RFC 3550 §6.5: those were sent as read).
   * The packet itself is not among the compound's packets; binding may still learn from these.
   */
  sdesRead?: SdesChunk[];
}

/** A decoded compound: every packet that could be read safely, and what could not. */
export interface RtcpCompound {
  packets: RtcpPacket[];
  errors: RtcpDecodeError[];
  /** true when the compound does not start with SR or RR (RFC 5506 reduced-size) */
  reducedSize: boolean;
}
