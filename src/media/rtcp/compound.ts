import { isRtcpPacketType } from '../demux.js';
import { readU16, readU32 } from '../wire-read.js';
import { decodeAppDefined } from './app.js';
import { decodeGoodbye } from './bye.js';
import { rtcpDecodeError } from './errors.js';
import { decodeExtendedReport } from './extended-report.js';
import { decodePayloadFeedback } from './payload-feedback.js';
import { decodeReceiverReport } from './receiver-report.js';
import { decodeSourceDescription } from './sdes.js';
import { decodeSenderReport } from './sender-report.js';
import { decodeTransportFeedback } from './transport-feedback.js';
import { RtcpType, type RtcpCompound, type RtcpDecodeError, type RtcpPacket, type UnknownRtcp } from './types.js';

const RTCP_HEADER_LENGTH = 4;
/** Extended inter-arrival jitter report (RFC 5450), decoded as an unknown type. */
const IJ = 195;
/** How a datagram shorter than on the wire because of the capture's snap length is named. */
const SNAPLEN_CUT = "cut by the capture's snap length";

/**
 * Decodes one packet whose header and length have been checked, dispatching on its type.
 * Returns null (with the reason in `errors`) when the body does not hold what its counts say.
 * Unknown packet types are kept as {pt, ssrc, unknown: true}.
 */
export function decodeRtcpPacket(
  b: Uint8Array,
  off: number,
  len: number,
  errors: RtcpDecodeError[],
  base = 0,
  contentLen = len,
): RtcpPacket | null {
  switch (b[off + 1]) {
    case RtcpType.SR:
      return decodeSenderReport(b, off, len, errors, base, contentLen);
    case RtcpType.RR:
      return decodeReceiverReport(b, off, len, errors, base, contentLen);
    case RtcpType.SDES:
      return decodeSourceDescription(b, off, len, errors, base, contentLen);
    case RtcpType.BYE:
      return decodeGoodbye(b, off, len, errors, base, contentLen);
    case RtcpType.APP:
      return decodeAppDefined(b, off, len, errors, base, contentLen);
    case RtcpType.RTPFB:
      return decodeTransportFeedback(b, off, len, errors, base, contentLen);
    case RtcpType.PSFB:
      return decodePayloadFeedback(b, off, len, errors, base, contentLen);
    case RtcpType.XR:
      return decodeExtendedReport(b, off, len, errors, base, contentLen);
    default: {
      const unknown: UnknownRtcp = {
        pt: b[off + 1],
        ssrc: contentLen >= 8 ? readU32(b, off + 4) : 0,
        offset: off - base,
        length: len,
        unknown: true,
      };
      return unknown;
    }
  }
}

/**
 * Decodes an RTCP compound datagram (RFC 3550 §6.1) held in bytes[off, off + len).
 *
 * Every packet header is checked (version 2, length within the datagram, padding). A header
 * that cannot be trusted (cut short, wrong version, length past the end) stops the walk: what
 * follows has no known boundary. A packet whose length is sane but whose body is bad (a count
 * that does not fit, an SDES item or XR block running over) is reported and skipped, and the
 * walk goes on after it. Offsets in packets and errors are relative to `off`.
 *
 * Padding (P bit) belongs to the last packet only; its final octet counts the padding bytes.
 * A compound whose first packet is neither SR nor RR is reduced-size RTCP (RFC 5506).
 *
 * `cut` is how many bytes of the datagram the capture's snap length cut off after those `len`
 * (0: captured whole). The packets captured whole are decoded; where the cut falls, one
 * 'snaplen-cut' error says so, instead of calling the packet there broken.
 */
export function decodeRtcpCompound(bytes: Uint8Array, off = 0, len = bytes.length - off, cut = 0): RtcpCompound {
  // a caller's length never lets the walk read past the array
  if (len > bytes.length - off) len = Math.max(0, bytes.length - off);
  const packets: RtcpPacket[] = [];
  const errors: RtcpDecodeError[] = [];
  const end = off + len;
  let reducedSize = false;
  if (len >= 2) {
    const firstPt = bytes[off + 1];
    reducedSize = firstPt !== RtcpType.SR && firstPt !== RtcpType.RR;
  }
  if (len <= 0 && cut > 0) errors.push(rtcpDecodeError('snaplen-cut', 0, `compound of ${cut} bytes ${SNAPLEN_CUT} before its first byte`));
  else if (len <= 0) errors.push(rtcpDecodeError('packet-too-short', 0, 'empty datagram'));
  let pos = off;
  while (pos + RTCP_HEADER_LENGTH <= end) {
    const first = bytes[pos];
    if (first >> 6 !== 2) {
      errors.push(rtcpDecodeError('bad-version', pos - off, `RTCP version ${first >> 6}, expected 2`));
      break;
    }
    const pktLen = (readU16(bytes, pos + 2) + 1) * 4;
    if (pos + pktLen > end) {
      if (pos + pktLen <= end + cut) {
        errors.push(rtcpDecodeError('snaplen-cut', pos - off, `RTCP packet of ${pktLen} bytes ${SNAPLEN_CUT} after ${end - pos} bytes`));
      } else {
        errors.push(rtcpDecodeError('length-past-end', pos - off, `RTCP packet of ${pktLen} bytes runs past the datagram (${end + cut - pos} left)`));
      }
      break;
    }
    let contentLen = pktLen;
    if (first & 0x20) {
      const padding = bytes[pos + pktLen - 1];
      // the last packet of the datagram on the wire, which may go on past the captured bytes
      if (pos + pktLen !== end + cut) {
        errors.push(rtcpDecodeError('bad-padding', pos - off, 'padding bit set on a packet that is not the last of the compound'));
        pos += pktLen;
        continue;
      }
      if (padding === 0 || padding > pktLen - RTCP_HEADER_LENGTH) {
        errors.push(rtcpDecodeError('bad-padding', pos + pktLen - 1 - off, `padding count ${padding} in a packet of ${pktLen} bytes`));
        break;
      }
      contentLen = pktLen - padding;
    }
    const packet = decodeRtcpPacket(bytes, pos, pktLen, errors, off, contentLen);
    if (packet !== null && 'unknown' in packet) {
      const before = packets.length > 0 ? packets[packets.length - 1]! : null;
      if (packet.pt === IJ) {
        // An IJ packet (RFC 5450 §3) is its header and jitter values: no SSRC of its own. It
        // follows the SR or RR whose sources its values are about, sent by that packet's sender;
        // alone, no value of it is an SSRC
        if (before === null || (before.pt !== RtcpType.SR && before.pt !== RtcpType.RR) || 'unknown' in before) {
          errors.push(rtcpDecodeError('bad-field', pos - off, 'IJ packet (RFC 5450) with no SR or RR before it: its jitter values name no source'));
          pos += pktLen;
          continue;
        }
        packet.ssrc = before.ssrc;
        packet.about = before.reports.map((r) => r.ssrc);
      } else if (contentLen < 8 && packets.length > 0) {
        // a packet of a type not known here that is only its header names no SSRC: the compound's sender's
        packet.ssrc = packets[0]!.ssrc;
      }
    }
    if (packet !== null) packets.push(packet);
    pos += pktLen;
  }
  if (cut > 0 && len > 0 && pos >= end) {
    // every captured packet was whole: the cut fell between two packets
    errors.push(rtcpDecodeError('snaplen-cut', pos - off, `the compound's last ${cut} bytes ${SNAPLEN_CUT}`));
  } else if (pos < end && pos + RTCP_HEADER_LENGTH > end) {
    if (cut > 0) errors.push(rtcpDecodeError('snaplen-cut', pos - off, `RTCP header ${SNAPLEN_CUT} after ${end - pos} bytes`));
    else errors.push(rtcpDecodeError('packet-too-short', pos - off, `${end - pos} bytes hold no RTCP header`));
  }
  return { packets, errors, reducedSize };
}

/**
 * Walks the packet headers of a compound without decoding bodies or allocating, calling
 * `visit(pt, fmtOrCount, pktOff, pktLen)` for each packet (pktOff is an index into `bytes`).
 * Returns the number of packets, or -1 when a header is cut, has the wrong version or a length
 * past the end (packets before it have been visited).
 */
export function walkRtcpCompound(
  bytes: Uint8Array,
  off: number,
  len: number,
  visit: (pt: number, fmtOrCount: number, pktOff: number, pktLen: number) => void,
): number {
  if (len > bytes.length - off) len = bytes.length - off;
  const end = off + len;
  if (len < RTCP_HEADER_LENGTH) return -1;
  let count = 0;
  let pos = off;
  while (pos < end) {
    if (pos + RTCP_HEADER_LENGTH > end) return -1;
    const first = bytes[pos];
    if (first >> 6 !== 2) return -1;
    const pktLen = (readU16(bytes, pos + 2) + 1) * 4;
    if (pos + pktLen > end) return -1;
    visit(bytes[pos + 1], first & 0x1f, pos, pktLen);
    count++;
    pos += pktLen;
  }
  return count;
}

/** Whether chainsAsRtcp's walk met only RTCP packet types. */
let rtcpTypesSeen = true;
const noteRtcpType = (pt: number): void => {
  if (!isRtcpPacketType(pt)) rtcpTypesSeen = false;
};

/**
 * Whether a datagram's packets chain to its end (version 2, lengths), all of RTCP's types (RFC
 * 3550 A.2): off every negotiated transport, what does not is someone else's (a DNS query whose
 * id starts 0x80-0x81), not RTCP.
 */
export function chainsAsRtcp(bytes: Uint8Array, off: number, len: number): boolean {
  rtcpTypesSeen = true;
  return walkRtcpCompound(bytes, off, len, noteRtcpType) > 0 && rtcpTypesSeen;
}
