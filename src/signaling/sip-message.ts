/**
 * One SIP message (RFC 3261 §7) from the bytes of a UDP datagram, a framed TCP stream or a
 * WebSocket message. Pure: the bytes are not kept except the body, which is copied.
 */
import { decodeUtf8, headerSectionEnd } from './byte-search.js';
import { parseHeaderBlock, type SipHeader } from './sip-header-block.js';
import { hasEmptyParam, headerParam, headerUri, parseMediaType, quotesClose } from './sip-header-values.js';
import { contentIdOf, parseMultipart, type SipBodyPart } from './sip-multipart.js';
import { sipError, type SipParseError } from './sip-errors.js';

export type { SipHeader } from './sip-header-block.js';
export type { SipBodyPart } from './sip-multipart.js';

export interface SipMessage {
  kind: 'request' | 'response';
  /** request method (case-sensitive, RFC 3261 §7.1), '' for responses */
  method: string;
  requestUri: string;
  /** response status code, 0 for requests */
  status: number;
  reason: string;
  headers: SipHeader[];
  callId: string | null;
  fromUri: string | null;
  fromTag: string | null;
  toUri: string | null;
  toTag: string | null;
  cseq: { seq: number; method: string } | null;
  /** branch parameter of the topmost Via */
  viaBranch: string | null;
  /** lowercased media type of the whole body, or null */
  contentType: string | null;
  contentLength: number | null;
  body: Uint8Array;
  /** the body's leaf parts: one part for a single-part body, several for multipart, none when empty */
  parts: SipBodyPart[];
  /** bytes the message occupied (start line through body) */
  byteLength: number;
  /**
   * the capture's snap length cut the body (parseSipDatagram): what its lost bytes said cannot
   * be known — an a=aipref line among them may have restricted what the rest would allow
   */
  bodyCut?: true;
  /** (bodyCut too) the snap length cut its header section: its last header lines are not known either */
  headersCut?: true;
}

export interface SipParseResult {
  /** null only when not even a start line could be read */
  message: SipMessage | null;
  errors: SipParseError[];
}

/** RFC 3261 §7.1: "The SIP-Version string is case-insensitive" */
const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) (\S+) SIP\/2\.0$/i;
const STATUS_LINE = /^SIP\/2\.0 (\d{3})(?: (.*))?$/i;

export function parseSipMessage(bytes: Uint8Array, off: number, len: number): SipParseResult {
  const errors: SipParseError[] = [];
  const end = off + len;
  let start = off;
  // RFC 3261 §7.5: CRLFs before the start line are ignored
  while (start < end && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  if (start >= end) return { message: null, errors: [sipError('empty-message', 0)] };

  let lineEnd = bytes.indexOf(0x0a, start);
  if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
  const startLine = decodeUtf8(bytes, start, lineEnd > start && bytes[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd).trim();
  const message = startLineMessage(startLine);
  if (message === null) return { message: null, errors: [sipError('bad-start-line', start - off, startLineShape(startLine))] };
  if (message.kind === 'response' && (message.status < 100 || message.status > 699)) {
    errors.push(sipError('bad-status-code', start - off, String(message.status)));
  }
  // RFC 3261 §25.1: a Request-URI is a bare URI — never in angle brackets, never quoted
  if (message.kind === 'request' && NOT_IN_A_URI.test(message.requestUri)) errors.push(sipError('bad-request-uri', start - off, 'it holds <, > or a double quote'));

  const headersStart = Math.min(lineEnd + 1, end);
  let headerEnd = headerSectionEnd(bytes, lineEnd, end);
  let bodyStart: number;
  if (headerEnd < 0) {
    errors.push(sipError('no-header-end', end - off));
    headerEnd = end;
    bodyStart = end;
  } else {
    bodyStart = headerEnd;
  }
  const block = parseHeaderBlock(decodeUtf8(bytes, headersStart, Math.max(headersStart, headerEnd)), headersStart - off);
  errors.push(...block.errors);
  message.headers = block.headers;
  const wellKnown = readWellKnownHeaders(message, errors);

  let bodyEnd = end;
  if (message.contentLength !== null) {
    if (bodyStart + message.contentLength > end) {
      errors.push(sipError('body-truncated', end - off, `Content-Length ${message.contentLength}, ${end - bodyStart} bytes present`));
    } else {
      bodyEnd = bodyStart + message.contentLength;
    }
  }
  message.body = bytes.slice(bodyStart, bodyEnd);
  message.byteLength = bodyEnd - off;
  if (message.body.length > 0) readBodyParts(message, wellKnown, bodyStart - off, errors);
  return { message, errors };
}

/** How a datagram shorter than on the wire because of the capture's snap length is named (as RTP's and RTCP's). */
const SNAPLEN_CUT = "cut by the capture's snap length";

/**
 * One SIP message from a UDP datagram of which the capture holds `len` bytes, `cut` more having
 * been cut off by its snap length; a cut past the message's own end (its Content-Length
 * reached, the rest padding) loses nothing of it. Otherwise it is read — the call went on, its
 * recipient had it whole, and an AI-Pref header's word must not be lost with the tail — to its
 * last whole line (a line half captured is not read as if whole), marked `bodyCut` (and
 * `headersCut` when the cut fell in its header section, its body then all cut): what the lost
 * lines said counts as an unresolved statement (dialogs.ts), never as silence. One
 * 'snaplen-cut' error says so, and the sender is not blamed for what the capture lost (four
 * parse errors said so). Cut before the lines that name it (Call-ID, tags, CSeq), it is no
 * one's message: not read.
 */
export function parseSipDatagram(bytes: Uint8Array, off: number, len: number, cut: number): SipParseResult {
  const result = parseSipMessage(bytes, off, len);
  if (cut <= 0 || endsBeforeTheCut(result)) return result;
  const m = result.message;
  const end = off + len;
  const lastLineEnd = bytes.lastIndexOf(0x0a, end - 1);
  if (m === null || result.errors.some((e) => e.reason === 'no-header-end')) {
    // its whole header lines, where they name the message: read so, its body all cut
    const lines = lastLineEnd >= off ? parseSipMessage(bytes, off, lastLineEnd + 1 - off).message : null;
    if (lines === null || lines.callId === null || lines.fromTag === null || lines.cseq === null) {
      return { message: null, errors: [sipError('snaplen-cut', len, `SIP message of ${len + cut} bytes ${SNAPLEN_CUT} after ${len}, not read`)] };
    }
    lines.body = new Uint8Array(0);
    lines.parts = [];
    lines.bodyCut = true;
    lines.headersCut = true;
    return { message: lines, errors: [sipError('snaplen-cut', len, `headers ${SNAPLEN_CUT} after ${len} of ${len + cut} bytes`)] };
  }
  const bodyStart = end - m.body.length;
  const readTo = m.body.length > 0 && lastLineEnd >= bodyStart ? lastLineEnd + 1 : bodyStart;
  const read = readTo === end ? result : parseSipMessage(bytes, off, readTo - off);
  const message = read.message!;
  message.bodyCut = true;
  // not body-truncated: that is a datagram cut on the wire, whose response confirms nothing
  const errors = read.errors.filter((e) => e.reason !== 'body-truncated');
  // (a detail is reported to 80 characters)
  errors.push(sipError('snaplen-cut', len, `body ${SNAPLEN_CUT} after ${len} of ${len + cut} bytes`));
  return { message, errors };
}

/** Whether the message is whole in the captured bytes: its header section ended and its Content-Length reached (without one, the body runs to the datagram's end, cut). */
function endsBeforeTheCut(result: SipParseResult): boolean {
  const m = result.message;
  return m !== null && m.contentLength !== null && !result.errors.some((e) => e.reason === 'no-header-end' || e.reason === 'body-truncated');
}

function startLineMessage(line: string): SipMessage | null {
  const status = STATUS_LINE.exec(line);
  if (status) return emptyMessage('response', '', '', Number(status[1]), status[2] ?? '');
  const request = REQUEST_LINE.exec(line);
  if (request) return emptyMessage('request', request[1]!, request[2]!, 0, '');
  return null;
}

function emptyMessage(kind: SipMessage['kind'], method: string, requestUri: string, status: number, reason: string): SipMessage {
  return {
    kind,
    method,
    requestUri,
    status,
    reason,
    headers: [],
    callId: null,
    fromUri: null,
    fromTag: null,
    toUri: null,
    toTag: null,
    cseq: null,
    viaBranch: null,
    contentType: null,
    contentLength: null,
    body: new Uint8Array(0),
    parts: [],
    byteLength: 0,
  };
}

function readWellKnownHeaders(m: SipMessage, errors: SipParseError[]): WellKnown {
  // the first instance of each, in one pass (a second of one that may appear once is reported)
  let callId: SipHeader | undefined;
  let from: SipHeader | undefined;
  let to: SipHeader | undefined;
  let cseq: SipHeader | undefined;
  let via: SipHeader | undefined;
  let type: SipHeader | undefined;
  let length: SipHeader | undefined;
  let contentId: SipHeader | undefined;
  for (const h of m.headers) {
    switch (h.name) {
      case 'call-id':
        if (callId === undefined) callId = h;
        else duplicate(h, errors);
        break;
      case 'from':
        if (from === undefined) from = h;
        else duplicate(h, errors);
        break;
      case 'to':
        if (to === undefined) to = h;
        else duplicate(h, errors);
        break;
      case 'cseq':
        if (cseq === undefined) cseq = h;
        else duplicate(h, errors);
        break;
      case 'via':
        via ??= h;
        break;
      case 'content-type':
        if (type === undefined) type = h;
        else duplicate(h, errors);
        break;
      case 'content-length':
        if (length === undefined) length = h;
        else duplicate(h, errors);
        break;
      case 'content-id':
        contentId ??= h;
        break;
    }
  }

  // callid = word ["@" word] (RFC 3261 §25.1): an empty one names no call
  if (callId && callId.value !== '') m.callId = callId.value;
  else errors.push(sipError('missing-call-id', callId?.offset ?? 0, callId ? 'empty' : undefined));

  if (from) {
    m.fromUri = headerUri(from.value);
    m.fromTag = headerParam(from.value, 'tag') || null;
  }
  if (!m.fromTag) errors.push(sipError('missing-from-tag', from?.offset ?? 0));
  if (to) {
    m.toUri = headerUri(to.value);
    const tag = headerParam(to.value, 'tag');
    m.toTag = tag || null;
    // tag-param = "tag" EQUAL token: `;tag=` or `;tag` is no tag, and is said to be
    if (tag === '') errors.push(sipError('empty-to-tag', to.offset));
  }

  if (!cseq) errors.push(sipError('missing-cseq', 0));
  else {
    const parts = CSEQ.exec(cseq.value);
    if (parts && Number(parts[1]) <= 0xffffffff) m.cseq = { seq: Number(parts[1]), method: parts[2]! };
    // described, never quoted (reports copy no message bytes)
    else errors.push(sipError('bad-cseq', cseq.offset, parts ? 'a sequence number over 2^32-1' : `a value of ${cseq.value.length} characters that is not a sequence number and a method`));
    if (m.cseq !== null && m.kind === 'request' && m.cseq.method !== m.method) errors.push(sipError('cseq-method-mismatch', cseq.offset, "its method is not the request's"));
  }

  if (via && via.values.length > 0) m.viaBranch = headerParam(via.values[0]!, 'branch') || null;
  if (via && via.values.some(hasEmptyParam)) errors.push(sipError('bad-via', via.offset, 'an empty parameter or list item'));
  for (const h of [from, to]) if (h !== undefined && !quotesClose(h.value)) errors.push(sipError('unterminated-quote', h.offset, `a quoted-string in ${h.name === 'from' ? 'From' : 'To'} never closes`));

  const mediaType = type ? parseMediaType(type.value) : null;
  if (mediaType) m.contentType = mediaType.type;

  if (length) {
    // 1*DIGIT: leading zeros are digits too
    if (/^0*\d{1,9}$/.test(length.value)) m.contentLength = Number(length.value);
    else errors.push(sipError('bad-content-length', length.offset, /^\d+$/.test(length.value) ? `${length.value.length} digits, more than a body can have` : `a value of ${length.value.length} characters that is not 1*DIGIT`));
  }
  return { mediaType, contentId };
}

/** Header fields a message carries once (RFC 3261 §7.3.1: only list headers may repeat), as written. */
const SINGLE_HEADER_NAMES: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  from: 'From',
  to: 'To',
  cseq: 'CSeq',
  'content-type': 'Content-Type',
  'content-length': 'Content-Length',
};

/** A second row of a header that may appear once: the first is kept, the second reported. */
function duplicate(h: SipHeader, errors: SipParseError[]): void {
  errors.push(sipError('duplicate-header', h.offset, `${SINGLE_HEADER_NAMES[h.name]} given again, the first kept`));
}

/** What the body parts need of the headers read once. */
interface WellKnown {
  mediaType: { type: string; params: Map<string, string> } | null;
  contentId: SipHeader | undefined;
}

const CSEQ = /^(\d{1,10})\s+(\S+)$/;

/** what no URI holds (RFC 3986 §2: not even percent-encoded as itself) */
const NOT_IN_A_URI = /[<>"]/;

function readBodyParts(m: SipMessage, headers: WellKnown, bodyOffset: number, errors: SipParseError[]): void {
  const mediaType = headers.mediaType ?? parseMediaType('application/sdp');
  if (mediaType.type.startsWith('multipart/')) {
    const multipart = parseMultipart(m.body, mediaType.params.get('boundary') ?? '', bodyOffset);
    m.parts = multipart.parts;
    errors.push(...multipart.errors);
    return;
  }
  const contentId = headers.contentId;
  m.parts = [
    {
      contentType: mediaType.type,
      contentId: contentId ? contentIdOf(contentId.value) : null,
      headers: [],
      bytes: m.body,
    },
  ];
}

export function firstHeader(m: SipMessage, canonicalName: string): SipHeader | undefined {
  for (const h of m.headers) if (h.name === canonicalName) return h;
  return undefined;
}

/** Every value of every instance of a header, in message order. */
export function headerValues(m: SipMessage, canonicalName: string): string[] {
  const out: string[] = [];
  for (const h of m.headers) if (h.name === canonicalName) out.push(...h.values);
  return out;
}

/** The text of the first `application/sdp` part, or null. */
export function sdpBodyOf(m: SipMessage): string | null {
  for (const p of m.parts) if (p.contentType === 'application/sdp') return decodeUtf8(p.bytes, 0, p.bytes.length);
  return null;
}

/** The `application/aipref+json` and `application/aipref+cbor` parts (seed §5.2). */
export function aiPrefBodyParts(m: SipMessage): SipBodyPart[] {
  return m.parts.filter((p) => p.contentType === 'application/aipref+json' || p.contentType === 'application/aipref+cbor');
}

/**
 * What a start line that is neither a request line nor a status line looks like, without its
 * Request-URI (a caller's or callee's address: reports never quote it, SPEC §6): its first word
 * where that is a method or version-like token, and its length.
 */
function startLineShape(line: string): string {
  const first = line.split(' ', 1)[0]!;
  const word = /^[A-Za-z0-9.\-/!%*_+`'~]{1,16}$/.test(first) ? `'${first}' then ` : '';
  return `${word}${line.length} characters: neither a request line nor a status line`;
}
