/**
 * MIME multipart bodies (RFC 2046 §5.1) as SIP carries them: an SDP part beside
 * `application/aipref+json` or `+cbor` statements referenced by Content-ID (seed §5.2).
 * Part bodies stay bytes (CBOR is binary).
 */
import { asciiBytes, decodeUtf8, headerSectionEnd, indexOfBytes } from './byte-search.js';
import { parseHeaderBlock, type SipHeader } from './sip-header-block.js';
import { parseMediaType, unquote } from './sip-header-values.js';
import { sipError, type SipParseError } from './sip-errors.js';

export interface SipBodyPart {
  /** lowercased media type, e.g. `application/sdp` */
  contentType: string;
  /** Content-ID without its angle brackets, or null */
  contentId: string | null;
  headers: SipHeader[];
  bytes: Uint8Array;
}

/** Nested multiparts deeper than this are kept as opaque parts: no legitimate SIP body needs more. */
const MAX_DEPTH = 4;

/**
 * Splits a multipart body into its leaf parts (nested multiparts are flattened). `bodyOffset`
 * is the body's offset in the message, for error positions.
 */
export function parseMultipart(
  body: Uint8Array,
  boundary: string,
  bodyOffset: number,
  depth = 0,
): { parts: SipBodyPart[]; errors: SipParseError[] } {
  const parts: SipBodyPart[] = [];
  const errors: SipParseError[] = [];
  if (boundary.length === 0) {
    errors.push(sipError('bad-multipart', bodyOffset, 'multipart body without a boundary parameter'));
    return { parts, errors };
  }
  const delimiter = asciiBytes('--' + boundary);
  let at = findDelimiter(body, delimiter, 0);
  if (at < 0) {
    errors.push(sipError('bad-multipart', bodyOffset, 'boundary never appears'));
    return { parts, errors };
  }
  for (;;) {
    let cursor = at + delimiter.length;
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) break; // close delimiter
    // the rest of the delimiter line (transport padding) is ignored
    const eol = body.indexOf(0x0a, cursor);
    if (eol < 0) {
      errors.push(sipError('bad-multipart', bodyOffset + cursor, 'delimiter line never ends'));
      break;
    }
    const partStart = eol + 1;
    const next = findDelimiter(body, delimiter, partStart);
    if (next < 0) {
      errors.push(sipError('bad-multipart', bodyOffset + partStart, 'no closing boundary'));
      addPart(body.subarray(partStart, body.length), bodyOffset + partStart, depth, parts, errors);
      break;
    }
    // the CRLF before a delimiter belongs to the delimiter
    let partEnd = next;
    if (partEnd > partStart && body[partEnd - 1] === 0x0a) partEnd--;
    if (partEnd > partStart && body[partEnd - 1] === 0x0d) partEnd--;
    addPart(body.subarray(partStart, partEnd), bodyOffset + partStart, depth, parts, errors);
    at = next;
    cursor = at;
  }
  return { parts, errors };
}

/**
 * A delimiter counts only at the start of a line and when the boundary ends there: "--b1"
 * inside "--b10" is not one (RFC 2046 §5.1.1: '--' for the close, or padding then CRLF).
 */
function findDelimiter(body: Uint8Array, delimiter: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    const at = indexOfBytes(body, delimiter, i, body.length);
    if (at < 0) return -1;
    const after = at + delimiter.length;
    const next = body[after];
    const endsThere = after >= body.length || next === 0x2d || next === 0x0d || next === 0x0a || next === 0x20 || next === 0x09;
    if ((at === 0 || body[at - 1] === 0x0a) && endsThere) return at;
    i = at + 1;
  }
}

function addPart(bytes: Uint8Array, offset: number, depth: number, parts: SipBodyPart[], errors: SipParseError[]): void {
  let headers: SipHeader[] = [];
  let content = bytes;
  // a part that starts with a blank line has no headers (and is text/plain by default)
  const startsBlank = bytes[0] === 0x0a || (bytes[0] === 0x0d && bytes[1] === 0x0a);
  if (!startsBlank) {
    const end = headerSectionEnd(bytes, 0, bytes.length);
    const headerEnd = end < 0 ? bytes.length : end;
    const block = parseHeaderBlock(decodeUtf8(bytes, 0, headerEnd), offset);
    headers = block.headers;
    errors.push(...block.errors);
    content = end < 0 ? bytes.subarray(bytes.length) : bytes.subarray(end);
  } else {
    content = bytes.subarray(bytes[0] === 0x0a ? 1 : 2);
  }
  const typeHeader = headers.find((h) => h.name === 'content-type');
  const mediaType = parseMediaType(typeHeader?.value ?? 'text/plain');
  if (mediaType.type.startsWith('multipart/') && depth < MAX_DEPTH) {
    const nested = parseMultipart(content, mediaType.params.get('boundary') ?? '', offset + (bytes.length - content.length), depth + 1);
    parts.push(...nested.parts);
    errors.push(...nested.errors);
    return;
  }
  // kept opaque, and said so: the SDP or statements inside are not read
  if (mediaType.type.startsWith('multipart/')) errors.push(sipError('bad-multipart', offset, `multipart nested deeper than ${MAX_DEPTH} levels: not read`));
  const idHeader = headers.find((h) => h.name === 'content-id');
  parts.push({ contentType: mediaType.type, contentId: idHeader ? contentIdOf(idHeader.value) : null, headers, bytes: content });
}

/**
 * The id a Content-ID header gives (RFC 2045 §7: a msg-id, RFC 5322 §3.6.4: `<id-left@id-right>`
 * with comments and folding white space around it, `<s1@x> (apt statement)`): the text between
 * its angle brackets; a bare or quoted id (no brackets) as it is.
 */
export function contentIdOf(value: string): string {
  const open = value.indexOf('<');
  const close = open < 0 ? -1 : value.indexOf('>', open + 1);
  return close > open ? value.slice(open + 1, close).trim() : unquote(value.trim());
}
