import { readU24, readU32 } from '../wire-read.js';
import { rtcpDecodeError } from './errors.js';
import type { ReportBlock, RtcpDecodeError } from './types.js';

export const REPORT_BLOCK_LENGTH = 24;

/**
 * A reception report block (RFC 3550 §6.4.1), shared by SR and RR. The caller has checked
 * that 24 bytes are there.
 *
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *        |                 SSRC_1 (SSRC of first source)                 |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        | fraction lost |       cumulative number of packets lost       |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |           extended highest sequence number received           |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                      interarrival jitter                      |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         last SR (LSR)                         |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                   delay since last SR (DLSR)                  |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 */
export function decodeReportBlock(b: Uint8Array, at: number): ReportBlock {
  const lost = readU24(b, at + 5);
  return {
    ssrc: readU32(b, at),
    fractionLost: b[at + 4],
    // cumulative loss is signed: duplicates can make it negative (RFC 3550 §6.4.1)
    cumulativeLost: lost & 0x800000 ? lost - 0x1000000 : lost,
    highestSeq: readU32(b, at + 8),
    jitter: readU32(b, at + 12),
    lsr: readU32(b, at + 16),
    dlsr: readU32(b, at + 20),
  };
}

/** Decodes `count` consecutive report blocks starting at `at` (bounds already checked). */
export function decodeReportBlocks(b: Uint8Array, at: number, count: number): ReportBlock[] {
  const reports: ReportBlock[] = new Array(count);
  for (let i = 0; i < count; i++) reports[i] = decodeReportBlock(b, at + i * REPORT_BLOCK_LENGTH);
  return reports;
}

/**
 * The report count (RC) of an SR or RR, once its fixed part and every report block it claims
 * are known to fit in `contentLen` bytes; null (with the named error recorded) when they do not.
 */
export function checkedReportCount(
  kind: 'SR' | 'RR',
  fixedLength: number,
  b: Uint8Array,
  off: number,
  contentLen: number,
  errors: RtcpDecodeError[],
  base: number,
): number | null {
  if (contentLen < fixedLength) {
    errors.push(rtcpDecodeError('packet-too-short', off - base, `${kind} of ${contentLen} bytes, needs ${fixedLength}`));
    return null;
  }
  const rc = b[off]! & 0x1f;
  if (fixedLength + rc * REPORT_BLOCK_LENGTH > contentLen) {
    errors.push(
      rtcpDecodeError('report-count-overflow', off - base, `${kind} claims ${rc} report blocks, ${contentLen} bytes hold ${Math.floor((contentLen - fixedLength) / REPORT_BLOCK_LENGTH)}`),
    );
    return null;
  }
  return rc;
}
