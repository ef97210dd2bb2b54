/**
 * URLs as a log or usage line may show them: without the `user:password@` (or `token@`) they
 * may carry, and with their query's values (an `?access_token=`, a `?key=`, a signed `?sig=`)
 * and fragment as `…` — stderr goes to collected logs (journald, a CI log). Used for --to (live
 * and replay), --nats and exporters' failure texts alike; a leaf module, so sources, export and
 * cli may all use it.
 */

/** A scheme and the slashes (or, as WHATWG takes them for http(s) and ws(s), backslashes) after it. */
const SCHEME = /^[a-z][a-z0-9+.-]*:[/\\]*/i;
/** The schemes whose authority a backslash ends too (WHATWG URL "special" schemes). */
const SPECIAL = /^(https?|wss?|ftp|file):/i;

/**
 * A URL (well formed or not: the one shown is often the one a typo broke) without its userinfo,
 * and with its query and fragment reduced to their keys (`?key=…&tenant=…`, `#…`):
 * - text that parses as a URL (`new URL`) loses only its real userinfo, the part of its
 *   authority before the last '@' there (the authority ends at the first '/', '?' or '#'): an
 *   '@' in the path, query or fragment is kept, as is the host;
 * - text that does not parse loses everything up to its last '@', keeping a `scheme:` followed
 *   by any slashes (`https:/u:p@h/x` → `https:/h/x`, `u:p@h` → `h`): a typo'd URL may hide a
 *   password anywhere; were that '@' after a '?' or '#', what follows it may be the query's, and
 *   only the scheme is shown (`ws://…`). Shown too little then, never a secret.
 * A `scheme:` with no slash after it (`https:u:p@h`, `user:pw@host`) is not kept.
 */
export function urlForDisplay(url: string): string {
  const at = url.lastIndexOf('@');
  const query = url.search(/[?#]/);
  if (at < 0 && query < 0) return url;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const scheme = SCHEME.exec(url)?.[0] ?? '';
  // a scheme is kept only when slashes follow it: a bare `user:pw@host` has no scheme, its `user:` is no scheme
  const kept = /[/\\]$/.test(scheme) ? scheme : '';
  let rest = url;
  // trusted when it has a host: `u:pw@host:4222` parses too, as scheme `u:` and a path
  if (parsed !== undefined && parsed.host !== '' && scheme !== '') {
    if (parsed.username !== '' || parsed.password !== '') {
      // the authority as written: from the scheme's slashes to the first '/', '?' or '#' (or '\' for http(s), ws(s))
      const end = url.slice(scheme.length).search(SPECIAL.test(scheme) ? /[/\\?#]/ : /[/?#]/);
      const userinfoEnd = url.lastIndexOf('@', end < 0 ? url.length : scheme.length + end - 1);
      // the parser saw userinfo the text does not show where expected (a tab, a leading space): the text's last '@'
      rest = userinfoEnd >= scheme.length ? kept + url.slice(userinfoEnd + 1) : kept + url.slice(at + 1);
    }
  } else if (at >= 0) {
    if (query >= 0 && query < at) return `${kept}…`;
    rest = kept + url.slice(at + 1);
  }
  return withoutQueryValues(rest);
}

/** `text` with its query's values and its fragment (from its first '?' or '#') as `…`, keys kept. */
function withoutQueryValues(text: string): string {
  const start = text.search(/[?#]/);
  if (start < 0) return text;
  const hash = text.indexOf('#', start);
  let shown = text.slice(0, start);
  if (text[start] === '?') {
    const query = text.slice(start + 1, hash < 0 ? text.length : hash);
    shown += `?${query === '' ? '' : query.split('&').map(valueHidden).join('&')}`;
  }
  if (hash >= 0) shown += hash === text.length - 1 ? '#' : '#…';
  return shown;
}

/** One `key=value` of a query as `key=…`; a part with no '=' (a bare token) as `…`. */
function valueHidden(part: string): string {
  const eq = part.indexOf('=');
  if (eq < 0) return part === '' ? '' : '…';
  return eq === part.length - 1 ? part : `${part.slice(0, eq)}=…`;
}

/** Punctuation a sentence puts after a URL (`(see https://h/x).`), kept outside it. */
const TRAILING = new Set('.,;:!)]}>\'"');

/**
 * A message (an error's text) with each URL in it shown as urlForDisplay shows it: `ws://u:p@host`
 * anywhere in it reads `ws://host`, a query's values `…`. One pass over its whitespace-separated
 * words (a URL is taken to run from its `scheme:/` to the end of its word), so linear in the
 * text's length — failure reasons are made on the service's one thread, and come in part from
 * the peer. Not for the hot path: failure reasons only.
 */
export function textForDisplay(text: string): string {
  return text.indexOf(':/') < 0 ? text : text.replace(/\S+/g, wordForDisplay);
}

function wordForDisplay(word: string): string {
  // the first `scheme:/` in the word: found by ':/', its scheme read backwards (never rescanned)
  for (let colon = word.indexOf(':/'); colon > 0; colon = word.indexOf(':/', colon + 2)) {
    let start = colon;
    while (start > 0 && isSchemeChar(word.charCodeAt(start - 1))) start--;
    while (start < colon && !isLetter(word.charCodeAt(start))) start++;
    if (start === colon) continue;
    let end = word.length;
    while (end > colon + 2 && TRAILING.has(word[end - 1]!)) end--;
    return `${word.slice(0, start)}${urlForDisplay(word.slice(start, end))}${word.slice(end)}`;
  }
  return word;
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isSchemeChar(c: number): boolean {
  return isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}
