/**
 * A block of `Name: value` lines (a SIP message's headers or a MIME part's headers):
 * continuation lines folded in, names canonicalised, list headers split into their values.
 */
import { canonicalHeaderName, isListHeader } from './sip-header-names.js';
import { splitHeaderList } from './sip-header-values.js';
import { sipError, type SipParseError } from './sip-errors.js';

export interface SipHeader {
  /** lowercased full name (compact forms expanded) */
  name: string;
  /** the value with folding undone (CRLF + whitespace → one space), trimmed */
  value: string;
  /** the comma-separated values of a list header; `[value]` for single-valued headers */
  values: string[];
  /** offset of the header's first line within the message */
  offset: number;
}

const TOKEN_CHARS = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** A header name as written → its canonical name and whether it is a list, or null when it is not a token. */
const NAMES = new Map<string, { name: string; list: boolean } | null>();
const MAX_NAMES = 1024;

function nameOf(raw: string): { name: string; list: boolean } | null {
  let known = NAMES.get(raw);
  if (known === undefined) {
    if (TOKEN_CHARS.test(raw)) {
      const name = canonicalHeaderName(raw);
      known = { name, list: isListHeader(name) };
    } else known = null;
    if (NAMES.size < MAX_NAMES) NAMES.set(raw, known);
  }
  return known;
}

/**
 * Parses header lines from `text` (which holds no start line and stops before the blank
 * line). `baseOffset` is added to the reported offsets so they point into the message, in
 * bytes: text that is not ASCII counts its characters' UTF-8 lengths. Lines that are not
 * headers are reported and skipped.
 */
export function parseHeaderBlock(text: string, baseOffset: number): { headers: SipHeader[]; errors: SipParseError[] } {
  const headers: SipHeader[] = [];
  const errors: SipParseError[] = [];
  let pending: { name: string; list: boolean } | null = null;
  let pendingValue = '';
  let pendingOffset = 0;
  let pos = 0;
  // the byte offset of `pos` (the same but for text that is not ASCII)
  let posBytes = 0;
  const ascii = !NOT_ASCII.test(text);
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const lineStart = pos;
    const lineEnd = eol > pos && text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
    const lineOffset = baseOffset + posBytes;
    pos = eol + 1;
    posBytes += ascii ? pos - lineStart : Buffer.byteLength(text.slice(lineStart, pos), 'utf8');
    if (lineEnd === lineStart) continue;
    const first = text.charCodeAt(lineStart);
    if (first === 0x20 || first === 0x09) {
      // LWS continuation (RFC 3261 §7.3.1): part of the previous header's value
      if (pending !== null) pendingValue += ' ' + text.slice(lineStart, lineEnd).trim();
      else errors.push(sipError('header-without-colon', lineOffset, 'continuation line with no header before it'));
      continue;
    }
    if (pending !== null) {
      headers.push(headerOf(pending, pendingValue, pendingOffset));
      pending = null;
    }
    const colon = text.indexOf(':', lineStart);
    if (colon < 0 || colon >= lineEnd) {
      errors.push(sipError('header-without-colon', lineOffset));
      continue;
    }
    const rawName = text.slice(lineStart, colon).trim();
    const name = nameOf(rawName);
    if (name === null) {
      errors.push(sipError('bad-header-name', lineOffset, whyNotAName(rawName)));
      continue;
    }
    pending = name;
    pendingValue = text.slice(colon + 1, lineEnd);
    pendingOffset = lineOffset;
  }
  if (pending !== null) headers.push(headerOf(pending, pendingValue, pendingOffset));
  return { headers, errors };
}

function headerOf(name: { name: string; list: boolean }, rawValue: string, offset: number): SipHeader {
  const value = rawValue.trim();
  return { name: name.name, value, values: name.list ? splitHeaderList(value) : [value], offset };
}

/**
 * Why a header line's name is none, without copying it: a broken line may hold a credential or
 * a caller's address (`Authorization Bearer <token>: …`), and reports never quote header values
 * (SPEC §6) — its length, and the first character a name cannot have, by its code.
 */
function whyNotAName(rawName: string): string {
  if (rawName === '') return 'an empty name';
  for (let i = 0; i < rawName.length; i++) {
    const c = rawName.charCodeAt(i);
    if (!TOKEN_CHAR.test(rawName[i]!)) return `a name of ${rawName.length} characters: character ${i + 1} (U+${c.toString(16).toUpperCase().padStart(4, '0')}) cannot be in one`;
  }
  return `a name of ${rawName.length} characters`;
}

const NOT_ASCII = /[^\x00-\x7f]/;

/** RFC 3261 §25.1 token characters. */
const TOKEN_CHAR = /^[A-Za-z0-9\-.!%*_+`'~]$/;
