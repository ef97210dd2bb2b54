import { decodeWireText } from '../wire-text.js';
import { readU32 } from '../wire-read.js';
import { rtcpDecodeError } from './errors.js';
import { SdesItemType, type RtcpDecodeError, type SdesChunk, type SdesItem, type SourceDescription } from './types.js';

/**
 * Source description (RFC 3550 §6.5). Every item is kept: text items as {type, text} (UTF-8),
 * PRIV (type 8) split into {prefix, value} (§6.5.8) — the SPEC's `aipref` binding rides there —
 * and MID (12), RtpStreamId (13) and RepairedRtpStreamId (14) as text. Trailing NUL octets
 * inside an item are dropped: some senders count a C string terminator in the item length
 * (CNAME "c0" sent as 3 bytes "c0\0"), which tshark does not show either, and an identifier
 * must compare equal to its signaled form. Chunks carry no length
 * of their own, so an item is checked against the end of the packet's content. Arguments as
 * for decodeSenderReport.
 *
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    SC   |  PT=SDES=202  |             length            |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * chunk  |                          SSRC/CSRC_1                          |
 *   1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                           SDES items                          |
 *        |                              ...                              |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *
 * item:  |     type      |    length     | text (length bytes) ...
 * PRIV:  |    PRIV=8     |    length     | prefix length | prefix ... value ...
 * A chunk's item list ends with one or more null octets up to the next 32-bit boundary.
 */
export function decodeSourceDescription(
  b: Uint8Array,
  off: number,
  len: number,
  errors: RtcpDecodeError[],
  base = 0,
  contentLen = len,
): SourceDescription | null {
  const sc = b[off] & 0x1f;
  const end = off + contentLen;
  const chunks: SdesChunk[] = new Array(sc);
  let pos = off + 4;
  for (let c = 0; c < sc; c++) {
    if (pos + 4 > end) {
      errors.push(brokenSdes(rtcpDecodeError('report-count-overflow', off - base, `SDES claims ${sc} chunks, only ${c} fit in ${contentLen} bytes`), chunks, c, null));
      return null;
    }
    const ssrc = readU32(b, pos);
    pos += 4;
    const items: SdesItem[] = [];
    for (;;) {
      if (pos >= end) {
        errors.push(brokenSdes(rtcpDecodeError('sdes-item-overrun', pos - base, `SDES chunk ${c} has no terminating null octet`), chunks, c, { ssrc, items }));
        return null;
      }
      const type = b[pos];
      if (type === SdesItemType.END) {
        // the null octet(s) end the chunk at the next 32-bit boundary of the packet
        pos = off + ((pos - off + 4) & ~3);
        if (pos > end) {
          errors.push(brokenSdes(rtcpDecodeError('sdes-item-overrun', end - base, `SDES chunk ${c} padding runs past the packet`), chunks, c, { ssrc, items }));
          return null;
        }
        break;
      }
      if (pos + 2 > end || pos + 2 + b[pos + 1] > end) {
        errors.push(brokenSdes(rtcpDecodeError('sdes-item-overrun', pos - base, `SDES item type ${type} runs past the packet`), chunks, c, { ssrc, items }));
        return null;
      }
      const itemLen = b[pos + 1];
      const textStart = pos + 2;
      const textEnd = textStart + itemLen;
      if (type === SdesItemType.PRIV) {
        const prefixLen = itemLen > 0 ? b[textStart] : -1;
        if (prefixLen < 0 || 1 + prefixLen > itemLen) {
          errors.push(brokenSdes(rtcpDecodeError('sdes-item-overrun', pos - base, `SDES PRIV prefix length ${prefixLen} runs past its ${itemLen}-byte item`), chunks, c, { ssrc, items }));
          return null;
        }
        const valueStart = textStart + 1 + prefixLen;
        items.push({
          type: SdesItemType.PRIV,
          prefix: sdesText(b, textStart + 1, withoutTrailingNuls(b, textStart + 1, valueStart)),
          value: sdesText(b, valueStart, withoutTrailingNuls(b, valueStart, textEnd)),
        });
      } else {
        items.push({ type, text: sdesText(b, textStart, withoutTrailingNuls(b, textStart, textEnd)) });
      }
      pos = textEnd;
    }
    chunks[c] = { ssrc, items };
  }
  return {
    pt: 202,
    ssrc: sc > 0 ? chunks[0].ssrc : 0,
    offset: off - base,
    length: len,
    chunks,
  };
}

/** The error of an SDES packet that broke in chunk `c`, with what was read before the break (`broken`: that chunk's items so far). */
function brokenSdes(error: RtcpDecodeError, chunks: readonly SdesChunk[], c: number, broken: SdesChunk | null): RtcpDecodeError {
  const read = chunks.slice(0, c);
  if (broken !== null && broken.items.length > 0) read.push(broken);
  if (read.length > 0) error.sdesRead = read;
  return error;
}

/**
 * SDES text repeats: every compound of a stream carries its CNAME (and its mid, its tags).
 * Short ASCII items are looked up by a hash of their bytes and reused when the bytes match,
 * instead of being built again character by character; anything else is decoded as before.
 */
const TEXT_CACHE_LIMIT = 4096;
const SHORT_TEXT = 48;
const textCache = new Map<number, string>();

function sdesText(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n > SHORT_TEXT) return decodeWireText(b, start, end);
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  const known = textCache.get(h);
  if (known !== undefined && known.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (known.charCodeAt(i) !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return known;
  }
  const text = decodeWireText(b, start, end);
  // only ASCII is kept: its characters are its bytes, which is what the match above compares
  if (text.length === n) {
    if (textCache.size >= TEXT_CACHE_LIMIT) textCache.clear();
    textCache.set(h, text);
  }
  return text;
}

function withoutTrailingNuls(b: Uint8Array, start: number, end: number): number {
  while (end > start && b[end - 1] === 0) end--;
  return end;
}
