import { readU16, readU32 } from '../wire-read.js';
import { rtcpDecodeError } from './errors.js';
import type { PayloadFeedback, RtcpDecodeError } from './types.js';

import { FEEDBACK_FIXED_LENGTH, fciEntryCount } from './feedback-fci.js';
const FIR_ENTRY_LENGTH = 8;
const REMB_FIXED_LENGTH = 20;

export const PayloadFeedbackFormat = { PLI: 1, SLI: 2, RPSI: 3, FIR: 4, TSTR: 5, TSTN: 6, VBCM: 7, AFB: 15 } as const;

/** Bytes of a TSTR/TSTN FCI entry (RFC 5104 §4.3.2.1), and the fixed part of a VBCM one (§4.3.4.1). */
const TST_ENTRY_LENGTH = 8;
const VBCM_FIXED_LENGTH = 8;

/**
 * Payload-specific feedback (RFC 4585 §6.3). PLI (fmt 1) has no FCI; FIR (fmt 4, RFC 5104
 * §4.3.1) entries are decoded; application-layer feedback (fmt 15) is decoded as REMB
 * (draft-alvestrand-rmcat-remb §2.2) when its FCI starts with "REMB". `ssrc` is the sender's
 * SSRC. Arguments as for decodeSenderReport.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|   FMT   |   PT=PSFB=206 |          length               |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                  SSRC of packet sender                        |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                  SSRC of media source                         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    :            Feedback Control Information (FCI)                 :
 *
 * FIR entry:  |                              SSRC                             |
 *             | Seq nr.       |    Reserved                                   |
 * REMB FCI:   |  Unique identifier 'R' 'E' 'M' 'B'                            |
 *             |  Num SSRC     | BR Exp    |  BR Mantissa                      |
 *             |   SSRC feedback (Num SSRC × 32 bits) ...                      |
 */
export function decodePayloadFeedback(
  b: Uint8Array,
  off: number,
  len: number,
  errors: RtcpDecodeError[],
  base = 0,
  contentLen = len,
): PayloadFeedback | null {
  if (contentLen < FEEDBACK_FIXED_LENGTH) {
    errors.push(rtcpDecodeError('packet-too-short', off - base, `PSFB of ${contentLen} bytes, needs ${FEEDBACK_FIXED_LENGTH}`));
    return null;
  }
  const fmt = b[off] & 0x1f;
  let fir: PayloadFeedback['fir'];
  let remb: PayloadFeedback['remb'];
  let tst: PayloadFeedback['tst'];
  let vbcm: PayloadFeedback['vbcm'];
  if (fmt === PayloadFeedbackFormat.FIR) {
    const n = fciEntryCount(off, contentLen, FIR_ENTRY_LENGTH, 'FIR', errors, base);
    if (n === null) return null;
    fir = new Array(n);
    for (let i = 0, at = off + FEEDBACK_FIXED_LENGTH; i < n; i++, at += FIR_ENTRY_LENGTH) {
      fir[i] = { ssrc: readU32(b, at), seq: b[at + 4] };
    }
  } else if (fmt === PayloadFeedbackFormat.TSTR || fmt === PayloadFeedbackFormat.TSTN) {
    // |  SSRC  | Seq nr (8) | Reserved (19) | Index (5) |
    const n = fciEntryCount(off, contentLen, TST_ENTRY_LENGTH, fmt === 5 ? 'TSTR' : 'TSTN', errors, base);
    if (n === null) return null;
    tst = new Array(n);
    for (let i = 0, at = off + FEEDBACK_FIXED_LENGTH; i < tst.length; i++, at += TST_ENTRY_LENGTH) {
      tst[i] = { ssrc: readU32(b, at), seq: b[at + 4]!, index: b[at + 7]! & 0x1f };
    }
  } else if (fmt === PayloadFeedbackFormat.VBCM) {
    // |  SSRC  | Seq nr (8) | 0 | Payload Type (7) | Length (16) | VBCM octet string, padded to 32 bits |
    vbcm = [];
    const end = off + contentLen;
    for (let at = off + FEEDBACK_FIXED_LENGTH; at < end; ) {
      const length = at + VBCM_FIXED_LENGTH <= end ? readU16(b, at + 6) : -1;
      const next = at + VBCM_FIXED_LENGTH + ((length + 3) & ~3);
      if (length < 0 || next > end) {
        errors.push(rtcpDecodeError('bad-field', at - base, `VBCM FCI entry runs past the packet's ${contentLen} bytes`));
        return null;
      }
      vbcm.push({ ssrc: readU32(b, at), seq: b[at + 4]!, pt: b[at + 5]! & 0x7f, length });
      at = next;
    }
  } else if (fmt === PayloadFeedbackFormat.AFB && isRemb(b, off, contentLen)) {
    if (contentLen < REMB_FIXED_LENGTH) {
      errors.push(rtcpDecodeError('packet-too-short', off - base, `REMB of ${contentLen} bytes, needs ${REMB_FIXED_LENGTH}`));
      return null;
    }
    const n = b[off + 16];
    if (REMB_FIXED_LENGTH + n * 4 > contentLen) {
      errors.push(rtcpDecodeError('report-count-overflow', off + 16 - base, `REMB claims ${n} SSRCs, ${contentLen} bytes hold ${(contentLen - REMB_FIXED_LENGTH) >> 2}`));
      return null;
    }
    const exp = b[off + 17] >> 2;
    const mantissa = ((b[off + 17] & 3) << 16) | readU16(b, off + 18);
    const ssrcs: number[] = new Array(n);
    for (let i = 0; i < n; i++) ssrcs[i] = readU32(b, off + REMB_FIXED_LENGTH + i * 4);
    remb = { bitrate: mantissa * 2 ** exp, ssrcs };
  }
  const senderSsrc = readU32(b, off + 4);
  return {
    pt: 206,
    ssrc: senderSsrc,
    offset: off - base,
    length: len,
    fmt,
    senderSsrc,
    mediaSsrc: readU32(b, off + 8),
    fir,
    remb,
    tst,
    vbcm,
  };
}

function isRemb(b: Uint8Array, off: number, contentLen: number): boolean {
  return contentLen >= 16 && b[off + 12] === 0x52 && b[off + 13] === 0x45 && b[off + 14] === 0x4d && b[off + 15] === 0x42;
}
