import { readU32 } from '../wire-read.js';
import { checkedReportCount, decodeReportBlocks } from './report-block.js';
import type { RtcpDecodeError, SenderReport } from './types.js';

const SR_FIXED_LENGTH = 28;

/**
 * Sender report (RFC 3550 §6.4.1). `len` is the packet's length on the wire, `contentLen` the
 * part before any RTCP padding; offsets in the result and errors are relative to `base`.
 * Bytes after the report blocks are profile-specific extensions and are skipped.
 *
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    RC   |   PT=SR=200   |             length            |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         SSRC of sender                        |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * sender |              NTP timestamp, most significant word             |
 * info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |             NTP timestamp, least significant word             |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         RTP timestamp                         |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                     sender's packet count                     |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                      sender's octet count                     |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * report |                 report blocks (RC × 24 bytes)                 |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 */
export function decodeSenderReport(
  b: Uint8Array,
  off: number,
  len: number,
  errors: RtcpDecodeError[],
  base = 0,
  contentLen = len,
): SenderReport | null {
  const rc = checkedReportCount('SR', SR_FIXED_LENGTH, b, off, contentLen, errors, base);
  if (rc === null) return null;
  return {
    pt: 200,
    ssrc: readU32(b, off + 4),
    offset: off - base,
    length: len,
    ntpSec: readU32(b, off + 8),
    ntpFrac: readU32(b, off + 12),
    rtpTs: readU32(b, off + 16),
    packetCount: readU32(b, off + 20),
    octetCount: readU32(b, off + 24),
    reports: decodeReportBlocks(b, off + SR_FIXED_LENGTH, rc),
  };
}
