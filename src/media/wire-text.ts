/**
 * Text carried in RTP/RTCP (SDES items, BYE reasons, mid values) is UTF-8 (RFC 3550 §6.5).
 * Nearly all of it is short ASCII (CNAMEs, mids), which is built directly from the bytes:
 * TextDecoder's per-call cost dominates for strings this short.
 */

const utf8 = new TextDecoder('utf-8', { fatal: false });
const SHORT_ASCII_LIMIT = 48;

export function decodeWireText(b: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_ASCII_LIMIT) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) return utf8.decode(b.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(b.subarray(start, end));
}
