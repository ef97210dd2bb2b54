import { readU32 } from '../wire-read.js';
import { rtcpDecodeError } from './errors.js';
import { REPORT_BLOCK_LENGTH, decodeReportBlocks } from './report-block.js';
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
  if (contentLen < RR_FIXED_LENGTH) {
    errors.push(rtcpDecodeError('packet-too-short', off - base, `RR of ${contentLen} bytes, needs ${RR_FIXED_LENGTH}`));
    return null;
  }
  const rc = b[off] & 0x1f;
  if (RR_FIXED_LENGTH + rc * REPORT_BLOCK_LENGTH > contentLen) {
    errors.push(
      rtcpDecodeError('report-count-overflow', off - base, `RR claims ${rc} report blocks, ${contentLen} bytes hold ${Math.floor((contentLen - RR_FIXED_LENGTH) / REPORT_BLOCK_LENGTH)}`),
    );
    return null;
  }
  return {
    pt: 201,
    ssrc: readU32(b, off + 4),
    offset: off - base,
    length: len,
    reports: decodeReportBlocks(b, off + RR_FIXED_LENGTH, rc),
  };
}
