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

/**
 * Parses header lines from `text` (which holds no start line and stops before the blank
 * line). `baseOffset` is added to the reported offsets so they point into the message.
 * Lines that are not headers are reported and skipped.
 */
export function parseHeaderBlock(text: string, baseOffset: number): { headers: SipHeader[]; errors: SipParseError[] } {
  const headers: SipHeader[] = [];
  const errors: SipParseError[] = [];
  let pendingName = '';
  let pendingValue = '';
  let pendingOffset = 0;
  const flush = (): void => {
    if (pendingName === '') return;
    const value = pendingValue.trim();
    headers.push({ name: pendingName, value, values: isListHeader(pendingName) ? splitHeaderList(value) : [value], offset: pendingOffset });
    pendingName = '';
  };
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const line = text.slice(pos, eol > pos && text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol);
    const lineOffset = baseOffset + pos;
    pos = eol + 1;
    if (line.length === 0) continue;
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      // LWS continuation (RFC 3261 §7.3.1): part of the previous header's value
      if (pendingName !== '') pendingValue += ' ' + line.trim();
      else errors.push(sipError('header-without-colon', lineOffset, 'continuation line with no header before it'));
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon < 0) {
      errors.push(sipError('header-without-colon', lineOffset));
      continue;
    }
    const rawName = line.slice(0, colon).trim();
    if (!TOKEN_CHARS.test(rawName)) {
      errors.push(sipError('bad-header-name', lineOffset, rawName.slice(0, 40)));
      continue;
    }
    pendingName = canonicalHeaderName(rawName);
    pendingValue = line.slice(colon + 1);
    pendingOffset = lineOffset;
  }
  flush();
  return { headers, errors };
}
