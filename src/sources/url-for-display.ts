/**
 * URLs as a log or usage line may show them: without the `user:password@` (or `token@`) they
 * may carry — stderr goes to collected logs (journald, a CI log). Used for --to (live and
 * replay) and --nats alike; a leaf module, so sources, export and cli may all use it.
 */

/**
 * A URL (well formed or not: the one shown is often the one a typo broke) without its userinfo:
 * everything up to its last '@' goes, keeping a `scheme:` followed by any slashes
 * (`https:/u:p@h/x` → `https:/h/x`, `u:p@h` → `h`). An '@' later in the path or query takes more
 * away than it needs to: shown too little, never a secret.
 */
export function urlForDisplay(url: string): string {
  const at = url.lastIndexOf('@');
  if (at < 0) return url;
  // a scheme is kept only when slashes follow it: a bare `user:pw@host` has no scheme, its `user:` is no scheme
  const scheme = /^[a-z][a-z0-9+.-]*:\/+/i.exec(url)?.[0] ?? '';
  return at < scheme.length ? url : scheme + url.slice(at + 1);
}

/**
 * A message (an error's text) with the userinfo of each URL in it taken out: `ws://u:p@host`
 * anywhere in it reads `ws://host` (up to the last '@' before a space). Not for the hot path: failure reasons only.
 */
export function textForDisplay(text: string): string {
  return text.indexOf('@') < 0 ? text : text.replace(/([a-z][a-z0-9+.-]*:\/+)\S*@/gi, '$1');
}
