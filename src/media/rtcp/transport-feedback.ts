import { readU16, readU24, readU32 } from '../wire-read.js';
import { rtcpDecodeError } from './errors.js';
import type { CongestionControlFeedback, NackPair, PauseResumeEntry, RtcpDecodeError, TransportFeedback, TransportWideFeedback } from './types.js';

import { FEEDBACK_FIXED_LENGTH, fciEntryCount } from './feedback-fci.js';
const TWCC_FIXED_LENGTH = 20;

export const TransportFeedbackFormat = { GENERIC_NACK: 1, TMMBR: 3, TMMBN: 4, PAUSE_RESUME: 9, CCFB: 11, TWCC: 15 } as const;

/** Bytes of a TMMBR/TMMBN FCI entry (RFC 5104 §4.2.1.1). */
const TMMB_ENTRY_LENGTH = 8;

/** Bytes of a PAUSE/RESUME FCI entry before its Type Specific words (RFC 7728 §8.1). */
const PAUSE_RESUME_FIXED_LENGTH = 8;

/**
 * Transport-layer feedback (RFC 4585 §6.2). Generic NACK (fmt 1) FCI entries are decoded;
 * transport-wide congestion control (fmt 15, draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1) down to every packet's status and receive delta (decodeTwccDetail); RFC 8888 congestion
 * control feedback (fmt 11) down to every stream's reports (decodeCcfb); TMMBR/TMMBN (fmt 3, 4)
 * and RFC 7728 PAUSE/RESUME (fmt 9, decodePauseResume) down to the media sender each entry is
 * about. `ssrc` is the sender's SSRC. Arguments as for decodeSenderReport.
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
 * PAUSE/RESUME FCI, one or more entries (the header's media SSRC unused, 0):
 *                     |                         Target SSRC                           |
 *                     | Type  |  Res  | Parameter Len |           PauseID             |
 *                     :          Type Specific (Parameter Len 32-bit words)           :
 * CCFB (fmt 11) has no media SSRC: from byte 8, per stream reported on
 *                     |                 SSRC of nth RTP stream                        |
 *                     |          begin_seq            |          num_reports          |
 *                     |R|ECN|  Arrival time offset    | ...    (padded to 32 bits)    |
 *                     then |                 Report Timestamp                       |
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
  let tmmb: TransportFeedback['tmmb'];
  let ccfb: CongestionControlFeedback | undefined;
  let pauseResume: PauseResumeEntry[] | undefined;
  if (fmt === TransportFeedbackFormat.CCFB) {
    const decoded = decodeCcfb(b, off, contentLen, errors, base);
    if (decoded === null) return null;
    ccfb = decoded;
  } else if (fmt === TransportFeedbackFormat.TMMBR || fmt === TransportFeedbackFormat.TMMBN) {
    // |  SSRC  | MxTBR Exp (6) | MxTBR Mantissa (17) | Measured Overhead (9) |
    const n = fciEntryCount(off, contentLen, TMMB_ENTRY_LENGTH, fmt === 3 ? 'TMMBR' : 'TMMBN', errors, base);
    if (n === null) return null;
    tmmb = new Array(n);
    for (let i = 0, at = off + FEEDBACK_FIXED_LENGTH; i < tmmb.length; i++, at += TMMB_ENTRY_LENGTH) {
      const word = readU32(b, at + 4);
      tmmb[i] = { ssrc: readU32(b, at), bitrate: ((word >>> 9) & 0x1ffff) * 2 ** (word >>> 26), overhead: word & 0x1ff };
    }
  } else if (fmt === TransportFeedbackFormat.PAUSE_RESUME) {
    const decoded = decodePauseResume(b, off, contentLen, errors, base);
    if (decoded === null) return null;
    if (decoded.length > 0) pauseResume = decoded;
  } else if (fmt === TransportFeedbackFormat.GENERIC_NACK) {
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
      fbCount: b[off + 19]!,
    };
    decodeTwccDetail(b, off + TWCC_FIXED_LENGTH, off + contentLen, twcc, errors, base);
  }
  const senderSsrc = readU32(b, off + 4);
  return {
    pt: 205,
    ssrc: senderSsrc,
    offset: off - base,
    length: len,
    fmt,
    senderSsrc,
    mediaSsrc: ccfb === undefined ? readU32(b, off + 8) : 0,
    nacks,
    twcc,
    tmmb,
    ...(ccfb === undefined ? {} : { ccfb }),
    ...(pauseResume === undefined ? {} : { pauseResume }),
  };
}

/**
 * RFC 7728 §8.1 FCI entries, each 8 bytes and its Type Specific words. An entry that runs past
 * the packet makes it malformed (null, an error recorded): which streams it is about — which
 * govern it (SPEC §4) — cannot be known.
 */
function decodePauseResume(b: Uint8Array, off: number, contentLen: number, errors: RtcpDecodeError[], base: number): PauseResumeEntry[] | null {
  const entries: PauseResumeEntry[] = [];
  const end = off + contentLen;
  for (let at = off + FEEDBACK_FIXED_LENGTH; at < end; ) {
    const parameterWords = at + PAUSE_RESUME_FIXED_LENGTH <= end ? b[at + 5]! : -1;
    const next = at + PAUSE_RESUME_FIXED_LENGTH + 4 * parameterWords;
    if (parameterWords < 0 || next > end) {
      errors.push(rtcpDecodeError('bad-field', at - base, `PAUSE/RESUME FCI entry runs past the packet's ${contentLen} bytes`));
      return null;
    }
    entries.push({ ssrc: readU32(b, at), type: b[at + 4]! >> 4, pauseId: readU16(b, at + 6) });
    at = next;
  }
  return entries;
}

/** Bytes before a CCFB's first report block: header and sender SSRC. */
const CCFB_HEAD = 8;

/**
 * RFC 8888 §3.1 report blocks, from byte 8 to the Report Timestamp in the last 4 bytes. Blocks
 * that do not end exactly there are a malformed packet (null, an error recorded): what streams it
 * reports on — which govern it (SPEC §4) — cannot be known.
 */
function decodeCcfb(b: Uint8Array, off: number, contentLen: number, errors: RtcpDecodeError[], base: number): CongestionControlFeedback | null {
  const end = off + contentLen - 4;
  if (end < off + CCFB_HEAD) {
    errors.push(rtcpDecodeError('packet-too-short', off - base, `CCFB of ${contentLen} bytes, needs ${CCFB_HEAD + 4}`));
    return null;
  }
  const streams: CongestionControlFeedback['streams'] = [];
  let pos = off + CCFB_HEAD;
  while (pos < end) {
    const count = pos + 8 <= end ? readU16(b, pos + 6) : 0;
    // the metric blocks, two bytes each, padded to a 32-bit boundary
    const next = pos + 8 + ((count + 1) >> 1) * 4;
    if (pos + 8 > end || next > end) {
      errors.push(rtcpDecodeError('bad-field', pos - base, `CCFB: the report block at byte ${pos - off} runs past the Report Timestamp`));
      return null;
    }
    const reports: CongestionControlFeedback['streams'][number]['reports'] = new Array(count);
    for (let i = 0; i < count; i++) {
      const metric = readU16(b, pos + 8 + 2 * i);
      reports[i] = { received: (metric & 0x8000) !== 0, ecn: (metric >> 13) & 0x3, ato: metric & 0x1fff };
    }
    streams.push({ ssrc: readU32(b, pos), beginSeq: readU16(b, pos + 4), reports });
    pos = next;
  }
  return { streams, reportTimestamp: readU32(b, end) };
}

/** Status symbols (§3.1.1) as `status` writes them; 3 is reserved. */
const SYMBOL_TEXT = ['0', '1', '2'];

/**
 * The packet chunks (§3.1.3 run length: T=0, 2-bit symbol, 13-bit run; §3.1.4 status vector:
 * T=1, then S=0 for 14 one-bit symbols — received means a small delta — or S=1 for 7 two-bit
 * ones) until `statusCount` packets are described, the last chunk's extra symbols ignored; then
 * one receive delta per received packet (§3.1.5): 8 bits unsigned for a small delta, 16 bits
 * signed for a large one, in units of 250 µs. Bytes after the last delta are padding. Sets
 * `status` and `deltasUs`, or records an error and leaves them out.
 */
function decodeTwccDetail(b: Uint8Array, at: number, end: number, twcc: TransportWideFeedback, errors: RtcpDecodeError[], base: number): void {
  const count = twcc.statusCount;
  const symbols = new Uint8Array(count);
  let n = 0;
  let pos = at;
  while (n < count) {
    if (pos + 2 > end) {
      errors.push(rtcpDecodeError('packet-too-short', pos - base, `TWCC: packet chunks end after ${n} of ${count} packet statuses`));
      return;
    }
    const chunk = readU16(b, pos);
    if ((chunk & 0x8000) === 0) {
      const symbol = (chunk >> 13) & 0x3;
      const run = Math.min(chunk & 0x1fff, count - n);
      if (symbol === 3 && run > 0) {
        errors.push(rtcpDecodeError('bad-field', pos - base, 'TWCC: run length chunk of the reserved status symbol 3'));
        return;
      }
      symbols.fill(symbol, n, n + run);
      n += run;
    } else if ((chunk & 0x4000) === 0) {
      for (let bit = 13; bit >= 0 && n < count; bit--) symbols[n++] = (chunk >> bit) & 0x1;
    } else {
      for (let shift = 12; shift >= 0 && n < count; shift -= 2) {
        const symbol = (chunk >> shift) & 0x3;
        if (symbol === 3) {
          errors.push(rtcpDecodeError('bad-field', pos - base, `TWCC: status vector chunk with the reserved status symbol 3 for packet ${n}`));
          return;
        }
        symbols[n++] = symbol;
      }
    }
    pos += 2;
  }
  const deltasUs: number[] = [];
  for (let i = 0; i < count; i++) {
    const symbol = symbols[i]!;
    if (symbol === 0) continue;
    const size = symbol === 1 ? 1 : 2;
    if (pos + size > end) {
      errors.push(rtcpDecodeError('packet-too-short', pos - base, `TWCC: receive deltas end after ${deltasUs.length} of the received packets`));
      return;
    }
    deltasUs.push(250 * (size === 1 ? b[pos]! : (readU16(b, pos) << 16) >> 16));
    pos += size;
  }
  let status = '';
  for (let i = 0; i < count; i++) status += SYMBOL_TEXT[symbols[i]!]!;
  twcc.status = status;
  twcc.deltasUs = deltasUs;
}
