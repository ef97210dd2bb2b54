/**
 * Searching and decoding the ASCII framing of text protocols inside byte arrays, so that
 * bodies stay bytes (Content-Length counts bytes, not UTF-16 units) while headers become text.
 */

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** First index ≥ from (and < end) where needle starts, or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number, end: number): number {
  const first = needle[0];
  const last = end - needle.length;
  outer: for (let i = from; i <= last; i++) {
    if (hay[i] !== first) continue;
    for (let k = 1; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/**
 * End of the header section: the index just past the blank line (CRLFCRLF, or a bare LFLF
 * from sloppy senders), or -1 when the blank line has not been seen before `end`.
 */
export function headerSectionEnd(b: Uint8Array, from: number, end: number): number {
  for (let i = b.indexOf(0x0a, from); i >= 0 && i < end; i = b.indexOf(0x0a, i + 1)) {
    if (i + 1 < end && b[i + 1] === 0x0a) return i + 2;
    if (i + 2 < end && b[i + 1] === 0x0d && b[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  return utf8.decode(b.subarray(start, end));
}

export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
