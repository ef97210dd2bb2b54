import { readU32 } from '../wire-read.js';
import { checkedReportCount, decodeReportBlocks } from './report-block.js';
import type { ReceiverReport, RtcpDecodeError } from './types.js';

const RR_FIXED_LENGTH = 8;

/**
 * Receiver report (RFC 3550 §6.4.2). Arguments as for decodeSenderReport.
 *
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    RC   |   PT=RR=201   |             length            |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                     SSRC of packet sender                     |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * report |                 report blocks (RC × 24 bytes)                 |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 */
export function decodeReceiverReport(
  b: Uint8Array,
  off: number,
  len: number,
  errors: RtcpDecodeError[],
  base = 0,
  contentLen = len,
): ReceiverReport | null {
  const rc = checkedReportCount('RR', RR_FIXED_LENGTH, b, off, contentLen, errors, base);
  if (rc === null) return null;
  return {
    pt: 201,
    ssrc: readU32(b, off + 4),
    offset: off - base,
    length: len,
    reports: decodeReportBlocks(b, off + RR_FIXED_LENGTH, rc),
  };
}
