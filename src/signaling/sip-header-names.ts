/**
 * SIP header field names: compact forms (RFC 3261 §7.3.3 and the extensions that registered
 * one) expanded to the full name, everything lowercased because header names are
 * case-insensitive (RFC 3261 §7.3.1, RFC 4485 §4.4).
 */

const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type',
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact', // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info', // RFC 4474
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events', // RFC 6665
  v: 'via',
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 8224
};

/** Lowercased full name of a header, whatever case or compact form it was written in. */
export function canonicalHeaderName(raw: string): string {
  const lower = raw.toLowerCase();
  return lower.length === 1 ? (COMPACT_FORMS[lower] ?? lower) : lower;
}

/**
 * Headers whose value is one item even though it may contain commas (credentials, dates,
 * free text, name-addr with a display name). Every other header is a comma-separated list
 * (RFC 3261 §7.3.1) and is split into its values.
 */
const SINGLE_VALUED = new Set([
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'authentication-info',
  'date',
  'subject',
  'user-agent',
  'server',
  'organization',
  'call-id',
  'cseq',
  'from',
  'to',
  'content-length',
  'content-type',
  'max-forwards',
  'expires',
  'min-expires',
  'retry-after',
  'timestamp',
  'mime-version',
  'priority',
  'reply-to',
  'in-reply-to',
  'identity',
  'content-disposition',
  'content-id',
]);

export function isListHeader(canonicalName: string): boolean {
  return !SINGLE_VALUED.has(canonicalName);
}
