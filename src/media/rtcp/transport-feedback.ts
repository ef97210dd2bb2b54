import { readU16, readU24, readU32 } from '../wire-read.js';
import { rtcpDecodeError } from './errors.js';
import type { NackPair, RtcpDecodeError, TransportFeedback } from './types.js';

const FEEDBACK_FIXED_LENGTH = 12;
const TWCC_FIXED_LENGTH = 20;

export const TransportFeedbackFormat = { GENERIC_NACK: 1, TWCC: 15 } as const;

/**
 * Transport-layer feedback (RFC 4585 §6.2). Generic NACK (fmt 1) FCI entries are decoded;
 * transport-wide congestion control (fmt 15, draft-holmer-rmcat-transport-wide-cc-extensions
 * §3.1) is recognised by its fixed fields — the per-packet chunks stay on the wire. `ssrc` is
 * the sender's SSRC. Arguments as for decodeSenderReport.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|   FMT   |   PT=RTPFB=205|          length               |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                  SSRC of packet sender                        |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                  SSRC of media source                         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    :            Feedback Control Information (FCI)                 :
 *
 * Generic NACK FCI:   |            PID                |             BLP               |
 * TWCC FCI:           |      base sequence number     |      packet status count      |
 *                     |                 reference time                | fb pkt. count |
 *                     |          packet chunks and receive deltas ...
 */
export function decodeTransportFeedback(
  b: Uint8Array,
  off: number,
  len: number,
  errors: RtcpDecodeError[],
  base = 0,
  contentLen = len,
): TransportFeedback | null {
  if (contentLen < FEEDBACK_FIXED_LENGTH) {
    errors.push(rtcpDecodeError('packet-too-short', off - base, `RTPFB of ${contentLen} bytes, needs ${FEEDBACK_FIXED_LENGTH}`));
    return null;
  }
  const fmt = b[off] & 0x1f;
  let nacks: NackPair[] | undefined;
  let twcc: TransportFeedback['twcc'];
  if (fmt === TransportFeedbackFormat.GENERIC_NACK) {
    const n = (contentLen - FEEDBACK_FIXED_LENGTH) >> 2;
    nacks = new Array(n);
    for (let i = 0, at = off + FEEDBACK_FIXED_LENGTH; i < n; i++, at += 4) {
      nacks[i] = { pid: readU16(b, at), blp: readU16(b, at + 2) };
    }
  } else if (fmt === TransportFeedbackFormat.TWCC) {
    if (contentLen < TWCC_FIXED_LENGTH) {
      errors.push(rtcpDecodeError('packet-too-short', off - base, `TWCC feedback of ${contentLen} bytes, needs ${TWCC_FIXED_LENGTH}`));
      return null;
    }
    twcc = {
      baseSeq: readU16(b, off + 12),
      statusCount: readU16(b, off + 14),
      referenceTime: readU24(b, off + 16),
      fbCount: b[off + 19],
    };
  }
  const senderSsrc = readU32(b, off + 4);
  return {
    pt: 205,
    ssrc: senderSsrc,
    offset: off - base,
    length: len,
    fmt,
    senderSsrc,
    mediaSsrc: readU32(b, off + 8),
    nacks,
    twcc,
  };
}
