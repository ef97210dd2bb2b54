/**
 * The AI-Pref SIP header field (seed §5.1):
 *
 *   AI-Pref    = "AI-Pref" HCOLON pref-value *(COMMA pref-value)
 *   pref-value = pref-id *(SEMI pref-param)
 *   pref-id    = token / quoted-string        ; identifier or opaque token
 *   pref-param = ("scope" EQUAL token) / ("type" EQUAL token) / ("version" EQUAL 1*DIGIT)
 *              / ("integrity" EQUAL token) / ("uri" EQUAL LAQUOT absoluteURI RAQUOT)
 *              / ("policy" EQUAL token)      ; §7.3, named in the prose, not the ABNF
 *              / generic-param               ; RFC 3261 §25.1: unknown parameters are ignored,
 *                                            ; repeated ones too (the first value is kept)
 *
 * Parameter names are case-insensitive (RFC 4485 §4.4); so are the enumerated values of
 * scope, type, integrity and policy, which are lowercased. pref-id and uri keep their case.
 * A value that breaks the grammar is reported (column + reason) and its parameters left out;
 * the others still parse. Where its pref-id could be read, the identifier is kept with the
 * scope read before the break, marked garbled: what it said cannot be read, so it counts as
 * unresolved, the most restrictive statement (SPEC §3) — a garbled value is taken neither for
 * no preference, nor for a value removed, nor for what else states the identifier.
 */
import { unquote } from './sip-header-values.js';
import type { SipMessage } from './sip-message.js';

export interface AiPrefValue {
  id: string;
  /** true when the pref-id was a quoted-string (an opaque inline token, not a handle) */
  idQuoted: boolean;
  scope: string | null;
  type: string | null;
  version: number | null;
  integrity: string | null;
  uri: string | null;
  policy: string | null;
  /** parameters this grammar does not name, lowercased name → value ('' when valueless) */
  params: Record<string, string>;
  /** 0-based position of the value within the header value */
  column: number;
  /**
   * the value broke the grammar after its pref-id: only the identifier (and a scope read before
   * the break) is known of it, so the identifier counts as unresolved (SPEC §3)
   */
  garbled?: true;
  /** (garbled too) not a header value: what a body the capture's snap length cut said (CUT_SDP_ID) */
  cut?: true;
}

export type AiPrefErrorReason =
  | 'empty-value'
  | 'bad-pref-id'
  | 'unterminated-quoted-string'
  | 'bad-param-name'
  | 'missing-param-value'
  | 'bad-param-value'
  | 'bad-version'
  | 'bad-uri'
  | 'duplicate-param'
  | 'unexpected-character';

export interface AiPrefError {
  reason: AiPrefErrorReason;
  /** 0-based position within the header value where the problem was seen */
  column: number;
  /** the offending value's text, cut to a readable length */
  text: string;
  /** for message-level parsing: offset of the header line within the message */
  headerOffset?: number;
  /** the pref-id kept (with its scope only) although its value broke the grammar */
  kept?: string;
}

export interface AiPrefParseResult {
  values: AiPrefValue[];
  errors: AiPrefError[];
}

const KNOWN_TOKEN_PARAMS = new Set(['scope', 'type', 'integrity', 'policy']);
/**
 * Parameters the enforcer reads: this grammar's, the statement keys a header value may carry
 * inline (SPEC §3) and a signed value's token. A repeat of one of them is an error — keeping
 * either copy of `export=raw;export=none` could relax the other; any other parameter is unknown.
 */
/** The scopes an AI-Pref value may name (seed 000 §5.1: dialog, media; session as for a=aipref). */
const HEADER_SCOPES: ReadonlySet<string> = new Set(['dialog', 'media', 'session']);
/** A version: 1*DIGIT (seed 000 §5.1), at most 15 of them so that it is an exact integer; the same on every carrier (sdp-aipref.ts). */
export const VERSION_PATTERN = /^\d{1,15}$/;
const READ_PARAMS = new Set([...KNOWN_TOKEN_PARAMS, 'version', 'uri', 'export', 'features', 'retention', 'token']);
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+\-.]*:[^\s<>"]+$/;

function isTokenChar(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || c === 0x2e || c === 0x21 || c === 0x25 || c === 0x2a || c === 0x5f || c === 0x2b || c === 0x60 || c === 0x27 || c === 0x7e
  );
}

/**
 * The identifier a media-plane tag's text names (an SDES PRIV `aipref` value, SPEC §2.4): a
 * pref-id as the header has it — a token, or a quoted-string (unquoted, as parseValue does) —
 * and nothing else; null for anything that is not one (empty, spaces, control characters, bytes
 * that were not UTF-8), which is then text, never an identifier.
 */
export function prefIdOfText(text: string): string | null {
  if (text.length === 0) return null;
  if (text.charCodeAt(0) !== 0x22) return readToken(text, 0, text.length, isTokenChar) === text.length ? text : null;
  const after = readQuoted(text, 0, text.length);
  if (after !== text.length) return null;
  const id = unquote(text);
  return id.length > 0 && !NOT_QUOTABLE.test(id) ? id : null;
}

/** what a quoted-string's qdtext cannot hold (RFC 3261 §25.1: no control characters) and what undecodable bytes became */
const NOT_QUOTABLE = /[\u0000-\u001f\u007f\ufffd]/;

/** gen-value = token / host / quoted-string; host adds ':' and '[' ']' for IPv6 references */
function isGenValueChar(c: number): boolean {
  return isTokenChar(c) || c === 0x3a || c === 0x5b || c === 0x5d;
}

class ValueError {
  /** what is kept of a value whose pref-id was read before the break */
  kept: AiPrefValue | null = null;

  constructor(
    readonly reason: AiPrefErrorReason,
    readonly column: number,
  ) {}
}

/** Parses one AI-Pref header field value (everything after the colon). */
export function parseAiPrefHeader(text: string): AiPrefParseResult {
  const values: AiPrefValue[] = [];
  const errors: AiPrefError[] = [];
  let pos = 0;
  while (pos <= text.length) {
    const valueStart = skipWs(text, pos);
    const valueEnd = topLevelCommaOrEnd(text, valueStart);
    const result = parseValue(text, valueStart, valueEnd);
    if (result instanceof ValueError) {
      // an empty item between commas ("a,,b", "a,") is tolerated; an empty header is not
      if (!(result.reason === 'empty-value' && text.trim().length > 0 && isBlank(text, valueStart, valueEnd))) {
        const error: AiPrefError = { reason: result.reason, column: result.column, text: text.slice(valueStart, valueEnd).trim().slice(0, 80) };
        if (result.kept !== null) error.kept = result.kept.id;
        errors.push(error);
      }
      if (result.kept !== null) values.push(result.kept);
    } else {
      values.push(result);
    }
    pos = valueEnd + 1;
  }
  return { values, errors };
}

/** Every AI-Pref value of every AI-Pref header instance of a message, in order. */
export function aiPrefOfMessage(m: SipMessage): AiPrefParseResult {
  const values: AiPrefValue[] = [];
  const errors: AiPrefError[] = [];
  for (const h of m.headers) {
    if (h.name !== 'ai-pref') continue;
    const parsed = parseAiPrefHeader(h.value);
    values.push(...parsed.values);
    for (const e of parsed.errors) errors.push({ ...e, headerOffset: h.offset });
  }
  return { values, errors };
}

function isBlank(text: string, from: number, to: number): boolean {
  return text.slice(from, to).trim().length === 0;
}

function skipWs(text: string, pos: number): number {
  while (pos < text.length && isWs(text.charCodeAt(pos))) pos++;
  return pos;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** The end of the value starting at pos: the next comma outside quotes and <...>. */
function topLevelCommaOrEnd(text: string, pos: number): number {
  const comma = text.indexOf(',', pos);
  const special = firstOf(text, pos, comma < 0 ? text.length : comma);
  // no quote or '<' before the next comma: that comma ends the value
  if (special < 0) return comma < 0 ? text.length : comma;
  let inQuotes = false;
  let inAngle = false;
  for (let i = pos; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inQuotes = false;
    } else if (inAngle) {
      if (c === 0x3e) inAngle = false;
    } else if (c === 0x22) inQuotes = true;
    else if (c === 0x3c) inAngle = true;
    else if (c === 0x2c) return i;
  }
  return text.length;
}

/** Index of the first '"' or '<' in text[from, to), or -1. */
function firstOf(text: string, from: number, to: number): number {
  const quote = text.indexOf('"', from);
  const angle = text.indexOf('<', from);
  const first = quote < 0 ? angle : angle < 0 ? quote : Math.min(quote, angle);
  return first >= 0 && first < to ? first : -1;
}

const TOKEN_RUN = /[A-Za-z0-9\-.!%*_+`'~]+/y;
const GEN_VALUE_RUN = /[A-Za-z0-9\-.!%*_+`'~:[\]]+/y;

/** The end of the run of token (or gen-value) characters at pos, at most `end`. */
function readToken(text: string, pos: number, end: number, accept: (c: number) => boolean): number {
  const run = accept === isTokenChar ? TOKEN_RUN : accept === isGenValueChar ? GEN_VALUE_RUN : null;
  if (run === null) {
    while (pos < end && accept(text.charCodeAt(pos))) pos++;
    return pos;
  }
  run.lastIndex = pos;
  return run.test(text) ? Math.min(run.lastIndex, end) : pos;
}

/** Reads a quoted-string at pos (which holds '"'); returns the index after the closing quote. */
function readQuoted(text: string, pos: number, end: number): number | ValueError {
  for (let i = pos + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return new ValueError('unterminated-quoted-string', pos);
}

function parseValue(text: string, start: number, end: number): AiPrefValue | ValueError {
  if (isBlank(text, start, end)) return new ValueError('empty-value', start);
  let pos = start;
  let id: string;
  let idQuoted = false;
  if (text.charCodeAt(pos) === 0x22) {
    const after = readQuoted(text, pos, end);
    if (after instanceof ValueError) return after;
    id = unquote(text.slice(pos, after));
    idQuoted = true;
    pos = after;
  } else {
    const after = readToken(text, pos, end, isTokenChar);
    if (after === pos) return new ValueError('bad-pref-id', pos);
    // a token ends at white space, a parameter or the value's end: anything else (a non-ASCII
    // byte) breaks the pref-id, kept whole as the unreadable identifier — never its prefix, a
    // well-formed identifier another call states (it was made unresolved for the capture)
    if (after < end && !isWs(text.charCodeAt(after)) && text.charCodeAt(after) !== 0x3b) {
      let runEnd = after;
      while (runEnd < end && !isWs(text.charCodeAt(runEnd)) && text.charCodeAt(runEnd) !== 0x3b) runEnd++;
      const broken = new ValueError('bad-pref-id', after);
      broken.kept = { id: text.slice(pos, runEnd), idQuoted: false, scope: null, type: null, version: null, integrity: null, uri: null, policy: null, params: {}, column: start, garbled: true };
      return broken;
    }
    id = text.slice(pos, after);
    pos = after;
  }
  const value: AiPrefValue = { id, idQuoted, scope: null, type: null, version: null, integrity: null, uri: null, policy: null, params: {}, column: start };
  const broken = readParams(text, pos, end, value);
  if (broken === null) return value;
  broken.kept = { id, idQuoted, scope: value.scope, type: null, version: null, integrity: null, uri: null, policy: null, params: {}, column: start, garbled: true };
  return broken;
}

/** Reads the parameters after the pref-id into `value`; the first break of the grammar, or null. */
function readParams(text: string, pos: number, end: number, value: AiPrefValue): ValueError | null {
  const seen = new Set<string>();
  for (;;) {
    pos = skipWs(text, pos);
    if (pos >= end) return null;
    if (text.charCodeAt(pos) !== 0x3b) return new ValueError('unexpected-character', pos);
    pos = skipWs(text, pos + 1);
    const nameStart = pos;
    pos = readToken(text, pos, end, isTokenChar);
    if (pos === nameStart) return new ValueError('bad-param-name', nameStart);
    const name = text.slice(nameStart, pos).toLowerCase();
    // A parameter read twice makes the value ambiguous: an error, the value left out. An
    // unknown one repeated is ignored like any unknown parameter (seed §5.1.2, RFC 4485 §4.4):
    // its first value is kept and passed through, as buildStatement keeps an unknown key's first.
    const repeated = seen.has(name);
    if (repeated && READ_PARAMS.has(name)) return new ValueError('duplicate-param', nameStart);
    seen.add(name);
    pos = skipWs(text, pos);
    let raw: string | null = null;
    if (pos < end && text.charCodeAt(pos) === 0x3d) {
      pos = skipWs(text, pos + 1);
      const read = readParamValue(text, pos, end, name);
      if (read instanceof ValueError) return read;
      // a value cut short by a byte its grammar has not (`scope=diälog`) is no value: not its prefix
      if (read < end && !isWs(text.charCodeAt(read)) && text.charCodeAt(read) !== 0x3b) return new ValueError('bad-param-value', read);
      raw = text.slice(pos, read);
      pos = read;
    }
    if (repeated) continue;
    const applied = applyParam(value, name, raw, nameStart);
    if (applied) return applied;
  }
}

function readParamValue(text: string, pos: number, end: number, name: string): number | ValueError {
  if (pos >= end) return new ValueError('missing-param-value', pos);
  const c = text.charCodeAt(pos);
  if (name === 'uri') {
    if (c !== 0x3c) return new ValueError('bad-uri', pos);
    const close = text.indexOf('>', pos);
    if (close < 0 || close >= end) return new ValueError('bad-uri', pos);
    return close + 1;
  }
  if (c === 0x22) {
    // quoted values are allowed only for generic (unknown) parameters
    if (name === 'version' || KNOWN_TOKEN_PARAMS.has(name)) return new ValueError('bad-param-value', pos);
    return readQuoted(text, pos, end);
  }
  const after = readToken(text, pos, end, KNOWN_TOKEN_PARAMS.has(name) || name === 'version' ? isTokenChar : isGenValueChar);
  if (after === pos) return new ValueError('bad-param-value', pos);
  return after;
}

function applyParam(value: AiPrefValue, name: string, raw: string | null, column: number): ValueError | null {
  if (name === 'uri') {
    if (raw === null) return new ValueError('missing-param-value', column);
    const uri = raw.slice(1, -1).trim();
    if (!ABSOLUTE_URI.test(uri)) return new ValueError('bad-uri', column);
    value.uri = uri;
    return null;
  }
  if (name === 'version') {
    if (raw === null) return new ValueError('missing-param-value', column);
    if (!VERSION_PATTERN.test(raw)) return new ValueError('bad-version', column);
    value.version = Number(raw);
    return null;
  }
  if (KNOWN_TOKEN_PARAMS.has(name)) {
    if (raw === null) return new ValueError('missing-param-value', column);
    const lowered = raw.toLowerCase();
    if (name === 'scope' && !HEADER_SCOPES.has(lowered)) {
      // a scope this enforcer does not know: the value is unreadable (most restrictive) and,
      // where it applies unknown, taken to apply to every m-section — not the dialog-level
      // fallback, which an m-section's own identifiers would set aside
      value.scope = 'session';
      return new ValueError('bad-param-value', column);
    }
    if (name === 'scope') value.scope = lowered;
    else if (name === 'type') value.type = lowered;
    else if (name === 'integrity') value.integrity = lowered;
    else value.policy = lowered;
    return null;
  }
  value.params[name] = raw === null ? '' : unquote(raw);
  return null;
}
