import { readU16 } from './wire-read.js';

export type RtpRtcpClass = 'rtp' | 'rtcp' | 'other';

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
  if (second >= 192 && second <= 223) {
    // the first packet's length fits the datagram as sent (`cut`: what the snap length left out)
    return (readU16(bytes, off + 2) + 1) * 4 <= len + cut ? 'rtcp' : 'other';
  }
  return len >= 12 + (first & 0x0f) * 4 ? 'rtp' : 'other';
}
