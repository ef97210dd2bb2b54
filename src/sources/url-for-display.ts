/**
 * URLs as a log or usage line may show them: without the `user:password@` (or `token@`) they
 * may carry, and with their query's values (an `?access_token=`, a `?key=`, a signed `?sig=`)
 * and fragment as `…` — stderr goes to collected logs (journald, a CI log). urlForDisplay shows
 * --to (live's usage errors and its --token warning, replay's target error), the AI service URL
 * an exporter refuses and a redirect's Location (HttpTransport); textForDisplay, the failure
 * texts of the HTTP and WebSocket transports, which may quote a URL; --nats goes through
 * natsServersForDisplay (export/nats-exporter.ts), which takes each server's credentials out as
 * the connection does, then shows it through urlForDisplay. A leaf module, so sources, export and
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
    return afterLastAt(url, kept, at);
  }
  return withoutQueryValues(rest);
}

/**
 * Text that may hold userinfo but is not taken as a URL: `kept` (its scheme and slashes, or '')
 * and what follows its last '@' (`at`); only `kept` and `…` when a '?' or '#' comes before that
 * '@' (what follows it may be the query's).
 */
function afterLastAt(url: string, kept: string, at: number): string {
  const query = url.search(/[?#]/);
  if (query >= 0 && query < at) return `${kept}…`;
  return withoutQueryValues(kept + url.slice(at + 1));
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

/**
 * One `key=value` of a query as `key=…`; a part with no '=', or whose '=' all end it (a bare
 * token, base64 padding and all: `?UzNDUkVUMQ==`), as `…` — a `key=` with no value loses nothing by it.
 */
function valueHidden(part: string): string {
  if (part === '') return '';
  const eq = part.indexOf('=');
  return eq < 0 || /^=+$/.test(part.slice(eq)) ? '…' : `${part.slice(0, eq)}=…`;
}

/** Punctuation a sentence puts after a URL (`(see https://h/x).`), kept outside it. */
const TRAILING = new Set('.,;:!)]}>\'"');

/**
 * A message (an error's text) with each URL in it shown as urlForDisplay shows it: `ws://u:p@host`
 * anywhere in it reads `ws://host`, a query's values `…`. One pass over its whitespace-separated
 * words, each cut at every `scheme:/` in it (a URL is taken to run from its `scheme:/` to the next
 * one or the end of its word: `"https://a/x","https://u:p@b/y"`, `https://a/x,wss://u:p@b/y`), so
 * linear in the text's length — failure reasons are made on the service's one thread, and come in
 * part from the peer. Not for the hot path: failure reasons only.
 */
export function textForDisplay(text: string): string {
  return text.indexOf(':/') < 0 ? text : text.replace(/\S+/g, wordForDisplay);
}

/**
 * A word with each URL in it shown. A cut never shows what the word, taken as one URL, hides: a
 * `scheme:/` after the current URL's '?' or '#' is in its query or fragment (the rest of the word
 * is that URL's); one with an '@' after it, in its authority still open (no '/' since its
 * `scheme://`) or in a piece that does not parse as a URL with a host (`https://user:S3/CRET:/x@h`:
 * port 'S3'), may be inside a password (`u:pw:/x@h`): then nothing up to the word's last '@' is shown.
 */
function wordForDisplay(word: string): string {
  const lastAt = word.lastIndexOf('@');
  let shown = '';
  let url = -1; // where the URL being read starts (its scheme), -1 before the first
  let authority = 0; // where its authority starts: after its `scheme:` and slashes
  // each `scheme:/` found by ':/', its scheme read backwards (stopped by the ':/' before: never rescanned)
  for (let colon = word.indexOf(':/'); colon >= 0; colon = word.indexOf(':/', colon + 2)) {
    let start = colon;
    while (start > 0 && isSchemeChar(word.charCodeAt(start - 1))) start--;
    while (start < colon && !isLetter(word.charCodeAt(start))) start++;
    if (start === colon) continue;
    if (url < 0) {
      shown = word.slice(0, start);
    } else {
      const before = word.slice(authority, start);
      if (/[?#]/.test(before)) break;
      // (the piece so far, less the punctuation before the cut: `https://a/x,` is `https://a/x`)
      if (lastAt >= start && (!/[/\\]/.test(before) || !hasHost(word.slice(url, urlEnd(word.slice(0, start), authority))))) {
        const end = urlEnd(word, authority);
        const rest = word.slice(url, end);
        return shown + afterLastAt(rest, SCHEME.exec(rest)![0], lastAt - url) + word.slice(end);
      }
      shown += pieceForDisplay(word.slice(url, start), authority - url);
    }
    url = start;
    authority = colon + 1;
    while (authority < word.length && (word[authority] === '/' || word[authority] === '\\')) authority++;
  }
  return url < 0 ? word : shown + pieceForDisplay(word.slice(url), authority - url);
}

/** Whether `piece` parses as a URL with a host (the text before a cut is a URL of its own, not a password's start). */
function hasHost(piece: string): boolean {
  try {
    return new URL(piece).host !== '';
  } catch {
    return false;
  }
}

/** Where the URL in `word` ends: before the punctuation a sentence puts after it, never in its `scheme://`. */
function urlEnd(word: string, authority: number): number {
  let end = word.length;
  while (end > authority && TRAILING.has(word[end - 1]!)) end--;
  return end;
}

/** A URL and the punctuation after it (`https://h/x",`), the URL shown by urlForDisplay. */
function pieceForDisplay(piece: string, authority: number): string {
  const end = urlEnd(piece, authority);
  return urlForDisplay(piece.slice(0, end)) + piece.slice(end);
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isSchemeChar(c: number): boolean {
  return isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}
