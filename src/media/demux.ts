import { readU16 } from './wire-read.js';

export type RtpRtcpClass = 'rtp' | 'rtcp' | 'other';

/** An RTCP packet type: 192–223 (RFC 5761 §4), where RTP's payload types with the marker bit would be 64–95. */
export function isRtcpPacketType(pt: number): boolean {
  return pt >= 192 && pt <= 223;
}

/**
 * Tells RTP from RTCP (and both from anything else) on a possibly multiplexed port.
 *
 * RFC 7983 §7 sorts by the first byte: 0–3 STUN, 16–19 ZRTP, 20–63 DTLS, 64–79 TURN channel,
 * 128–191 RTP/RTCP (version 2); everything outside 128–191 is 'other'. Within RTP/RTCP,
 * RFC 5761 §4: a second byte of 192–223 is an RTCP packet type (RTP payload types 64–95 with
 * the marker bit would collide, which is why they are not used when muxing). For sanity an
 * RTCP datagram's first packet must fit in it, and an RTP packet must hold its fixed header
 * and CSRCs. Allocation-free.
 */
export function classifyRtpRtcp(bytes: Uint8Array, off: number, len: number, cut = 0): RtpRtcpClass {
  if (len > bytes.length - off) len = bytes.length - off;
  if (len < 4) return 'other';
  const first = bytes[off];
  if (first < 128 || first > 191) return 'other';
  const second = bytes[off + 1];
  if (isRtcpPacketType(second)) {
    // the first packet's length fits the datagram as sent (`cut`: what the snap length left out)
    return (readU16(bytes, off + 2) + 1) * 4 <= len + cut ? 'rtcp' : 'other';
  }
  // RTP whose header or CSRCs the snap length cut is RTP all the same (decodeRtpHeader says so)
  return len + cut >= 12 + (first & 0x0f) * 4 ? 'rtp' : 'other';
}

/**
 * Whether a datagram on a media transport that is neither RTP nor RTCP is what belongs there
 * all the same: a 0-byte RTP keep-alive (RFC 6263 §4.1), or by its first byte STUN (0–3: ICE
 * checks and consent, RFC 8445, RFC 7675), ZRTP (16–19), DTLS (20–63: DTLS-SRTP's handshake)
 * or TURN channel data (64–79), the protocols RFC 7983 §7 puts on the RTP port. Anything else
 * (4–15, 80–127, 192–255, or a first byte of 128–191 whose RTP or RTCP does not fit) is
 * broken media.
 */
export function sharesMediaPort(bytes: Uint8Array, off: number, len: number): boolean {
  if (len <= 0) return true;
  const first = bytes[off]!;
  return first <= 3 || (first >= 16 && first <= 79);
}

/**
 * sharesMediaPort, for a datagram from no known media transport (a plain UDP mirror's payload):
 * the first byte alone would take any junk for STUN or DTLS, so each protocol's header must also
 * hold — STUN's magic cookie and length (RFC 8489 §5), ZRTP's magic cookie (RFC 6189 §5), a DTLS
 * record header (version major 254, RFC 6347 §4.1) and a TURN ChannelData length (RFC 8656 §12.4)
 * that fit the datagram.
 */
export function carriesMediaPortProtocol(bytes: Uint8Array, off: number, len: number): boolean {
  if (len <= 0) return true;
  const first = bytes[off]!;
  const u16 = (at: number) => (bytes[off + at]! << 8) | bytes[off + at + 1]!;
  const u32 = (at: number) => u16(at) * 65536 + u16(at + 2);
  if (first <= 3) return len >= 20 && u32(4) === STUN_MAGIC_COOKIE && 20 + u16(2) === len;
  if (first >= 16 && first <= 19) return len >= 12 && u32(4) === ZRTP_MAGIC_COOKIE;
  if (first >= 20 && first <= 63) return len >= 13 && bytes[off + 1] === 0xfe && 13 + u16(11) <= len;
  if (first >= 64 && first <= 79) return len >= 4 && 4 + u16(2) <= len;
  return false;
}

const STUN_MAGIC_COOKIE = 0x2112a442;
/** 'ZRTP' */
const ZRTP_MAGIC_COOKIE = 0x5a525450;
