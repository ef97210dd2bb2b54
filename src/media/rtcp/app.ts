import { readU32 } from '../wire-read.js';
import { rtcpDecodeError } from './errors.js';
import type { AppDefined, RtcpDecodeError } from './types.js';

const APP_FIXED_LENGTH = 12;

/**
 * Application-defined packet (RFC 3550 §6.7). The data is not copied: `dataLength` says how
 * much there is and the packet's `offset` + 12 says where. Arguments as for decodeSenderReport.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P| subtype |   PT=APP=204  |             length            |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                           SSRC/CSRC                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                          name (ASCII)                         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                   application-dependent data                ...
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export function decodeAppDefined(
  b: Uint8Array,
  off: number,
  len: number,
  errors: RtcpDecodeError[],
  base = 0,
  contentLen = len,
): AppDefined | null {
  if (contentLen < APP_FIXED_LENGTH) {
    errors.push(rtcpDecodeError('packet-too-short', off - base, `APP of ${contentLen} bytes, needs ${APP_FIXED_LENGTH}`));
    return null;
  }
  return {
    pt: 204,
    ssrc: readU32(b, off + 4),
    offset: off - base,
    length: len,
    subtype: b[off] & 0x1f,
    name: String.fromCharCode(b[off + 8], b[off + 9], b[off + 10], b[off + 11]),
    dataLength: contentLen - APP_FIXED_LENGTH,
  };
}
