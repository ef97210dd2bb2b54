/**
 * Found by a review of the URL display rewrite (round 21), fixed since: a word is cut at every
 *   `scheme:/` in it, a ':/' at its start no longer ending the loop, and a cut never shows what the
 *   whole hid (src/sources/url-for-display.ts wordForDisplay).
 * Input: textForDisplay on a text whose one whitespace-free word holds two URLs, the second with
 *   userinfo or a query key: `{"primary":"https://a.example/x","backup":"https://u:S3CRET@b.example/y"}`
 *   (a JSON error body or option dump has no spaces), `https://a.example/x,wss://u:S3CRET@b.example/y`
 *   (a comma list, as NATS and many clients write server lists);
 *   and a word whose first ':/' starts it: `:/,https://u:S3CRET@b.example/y`.
 * Was (observed): each text returned unchanged, S3CRET in it. wordForDisplay hands the rest of
 *   the word from the first `scheme:/` to urlForDisplay as one URL; `new URL` parses it with the
 *   first host and takes the second URL for path (no userinfo, no query: nothing cut; a query
 *   after the second URL is the first's, and so happens to be cut). A word whose
 *   ':/' is at index 0 stops the loop (`colon > 0`) before any later URL is looked at.
 *   (No error text of today's callers — fetch, ws, node:http2, seen in this review — was found
 *   to hold such a word: the defect is in the function's promise, the guard being defensive.)
 * Correct: textForDisplay's contract — "a message with each URL in it shown as urlForDisplay
 *   shows it"; it exists because error texts may quote URLs (exporters' failure reasons go to the
 *   log on each retry). A URL does not stop being one because a comma or a quote, not a space,
 *   comes before it.
 * Fix: src/sources/url-for-display.ts wordForDisplay: cut the word at every `scheme:/` start (not
 *   only the first) and show each piece through urlForDisplay (a URL nested in another's query
 *   is then shown on its own: safe); loop while `colon >= 0`, a `:/` at 0 simply having no scheme.
 */
import { expect, it } from 'vitest';
import { textForDisplay } from '../../../src/sources/url-for-display.js';

it.each([
  ['{"primary":"https://a.example/x","backup":"https://u:S3CRET@b.example/y"}', 'b.example/y'],
  ['https://a.example/x,wss://u:S3CRET@b.example/y', 'b.example/y'],
  [':/,https://u:S3CRET@b.example/y', 'b.example/y'],
])('%s: the second URL is shown without its secret', (text, kept) => {
  const shown = textForDisplay(text);
  expect(shown).not.toContain('S3CRET');
  expect(shown).toContain(kept);
});

/**
 * Added with the fix: cutting a word at each `scheme:/` must never show what the whole word, as one
 * URL, hid — a later `scheme:/` inside the first URL's query is still that query's (its values stay
 * `…`), and one inside a still open authority (no '/' yet) with an '@' after it may be inside a
 * password (`user:S3CRET:/word@h`, not a URL by RFC 3986 or WHATWG, yet a typo may hold it): then
 * nothing up to the word's last '@' is shown, as urlForDisplay does with text that does not parse.
 */
it.each([
  ['https://h/cb?next=https://u:p@evil/x&sig=S3CRET', 'https://h/cb?next=…&sig=…'],
  ['https://a/x?y=S3CRET,https://u:S3CRET@b/', 'https://a/x?y=…'],
  ['http://user:S3CRET:/word@h/x', 'http://h/x'],
  ['https://h1,https://u:S3CRET@h2/', 'https://h2/'],
  ['https://h1,https://h2/?a=S3CRET@c', 'https://…'],
  ['nats://h1:4222,nats://h2:4222', 'nats://h1:4222,nats://h2:4222'],
  ['https://a.example/x,https://b.example/y?sig=S3CRET', 'https://a.example/x,https://b.example/y?sig=…'],
  ['("https://a.example/x?k=S3CRET","https://u:S3CRET@b.example/y").', '("https://a.example/x?k=…").'],
  ['("https://a.example/x","https://u:S3CRET@b.example/y").', '("https://a.example/x","https://b.example/y").'],
  ['a:/a:/b:/x@h', 'a:/h'],
])('%s → %s', (text, shown) => {
  expect(textForDisplay(text)).toBe(shown);
});

it('1 MB of one word of URLs cut at each scheme, then an @: linear', () => {
  const text = `${'a:/h,'.repeat((1 << 20) / 5)}x@y`;
  const t0 = performance.now();
  textForDisplay(text);
  expect(performance.now() - t0).toBeLessThan(1000);
});
