import { decodeWireText } from '../wire-text.js';
import { readU32 } from '../wire-read.js';
import { rtcpDecodeError } from './errors.js';
import type { Goodbye, RtcpDecodeError } from './types.js';

/**
 * Goodbye (RFC 3550 §6.6). `ssrc` is the first source listed (0 when none is). Arguments as
 * for decodeSenderReport.
 *
 *        0                   1                   2                   3
 *        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       |V=2|P|    SC   |   PT=BYE=203  |             length            |
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       |                           SSRC/CSRC                           |
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       :                              ...                              :
 *       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * (opt) |     length    |               reason for leaving            ...
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export function decodeGoodbye(
  b: Uint8Array,
  off: number,
  len: number,
  errors: RtcpDecodeError[],
  base = 0,
  contentLen = len,
): Goodbye | null {
  const sc = b[off] & 0x1f;
  const end = off + contentLen;
  if (4 + sc * 4 > contentLen) {
    errors.push(rtcpDecodeError('report-count-overflow', off - base, `BYE claims ${sc} sources, ${contentLen} bytes hold ${(contentLen - 4) >> 2}`));
    return null;
  }
  const ssrcs: number[] = new Array(sc);
  for (let i = 0; i < sc; i++) ssrcs[i] = readU32(b, off + 4 + i * 4);
  let reason: string | undefined;
  const reasonAt = off + 4 + sc * 4;
  if (reasonAt < end) {
    const reasonLen = b[reasonAt];
    if (reasonAt + 1 + reasonLen > end) {
      errors.push(rtcpDecodeError('bad-field', reasonAt - base, `BYE reason of ${reasonLen} bytes runs past the packet`));
      return null;
    }
    reason = decodeWireText(b, reasonAt + 1, reasonAt + 1 + reasonLen);
  }
  return {
    pt: 203,
    ssrc: sc > 0 ? ssrcs[0] : 0,
    offset: off - base,
    length: len,
    ssrcs,
    reason,
  };
}
