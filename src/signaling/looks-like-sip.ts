/**
 * A cheap test for the packet classifier: does this payload start with a SIP start line?
 * `METHOD SP Request-URI SP SIP/2.0` or `SIP/2.0 SP 3DIGIT`. Allocation-free: it only reads
 * bytes, so it can run on every UDP payload.
 */

const MAX_START_LINE = 2048;

// "SIP/2.0"
const S = 0x53, I = 0x49, P = 0x50, SLASH = 0x2f, TWO = 0x32, DOT = 0x2e, ZERO = 0x30;
const SP = 0x20, CR = 0x0d, LF = 0x0a;

function isSipVersionAt(b: Uint8Array, at: number, end: number): boolean {
  return (
    at + 7 <= end &&
    // case-insensitive (RFC 3261 §7.1): 'sip' as 'SIP'
    (b[at]! & 0xdf) === S && (b[at + 1]! & 0xdf) === I && (b[at + 2]! & 0xdf) === P && b[at + 3] === SLASH &&
    b[at + 4] === TWO && b[at + 5] === DOT && b[at + 6] === ZERO
  );
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** RFC 3261 token characters (a method is a token). */
function isTokenChar(c: number): boolean {
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || isDigit(c)) return true;
  return c === 0x2d || c === 0x2e || c === 0x21 || c === 0x25 || c === 0x2a || c === 0x5f || c === 0x2b || c === 0x60 || c === 0x27 || c === 0x7e;
}

export function looksLikeSip(bytes: Uint8Array, off: number, len: number): boolean {
  const end = Math.min(off + len, bytes.length);
  let i = off;
  while (i < end && (bytes[i] === CR || bytes[i] === LF)) i++;
  if (isSipVersionAt(bytes, i, end)) {
    return i + 11 <= end && bytes[i + 7] === SP && isDigit(bytes[i + 8]) && isDigit(bytes[i + 9]) && isDigit(bytes[i + 10]);
  }
  const methodStart = i;
  while (i < end && isTokenChar(bytes[i])) i++;
  if (i === methodStart || i >= end || bytes[i] !== SP) return false;
  i++;
  const uriStart = i;
  const limit = Math.min(end, off + MAX_START_LINE);
  while (i < limit && bytes[i] !== SP && bytes[i] !== CR && bytes[i] !== LF) i++;
  if (i === uriStart || i >= limit || bytes[i] !== SP) return false;
  i++;
  if (!isSipVersionAt(bytes, i, end)) return false;
  i += 7;
  return i === end || bytes[i] === CR || bytes[i] === LF;
}
