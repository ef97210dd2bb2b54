/**
 * Found by a review of the credentials fixes (round 21), fixed since: urlForDisplay cuts only a URL's real userinfo (the authority's, when `new URL` parses it with a host), the cut at the last '@' only for text that does not parse; textForDisplay applies it to each `scheme:/` word (src/sources/url-for-display.ts urlForDisplay, textForDisplay).
 * Input: `aipref-enforcer live --hep 127.0.0.1:0 --out <tmp> --to
 *   'http://127.0.0.1:<port>/ingest?tenant=ops@corp.example' --token T --spool <tmp>` (an '@' in
 *   the query, not in the authority: a tenant or an e-mail as a query value, `/users/@me` in a
 *   path, `#a@b` in a fragment), and urlForDisplay / textForDisplay on such URLs.
 * Was (observed): the start warning reads `--token is sent in clear to http://corp.example (seed
 *   001 §3.3 …)` — a host the enforcer never talks to; urlForDisplay cuts everything up to the
 *   URL's last '@' wherever it is (`https://ai.example:8443/ingest?email=ops@corp.example` →
 *   `https://corp.example`, `https://ai.example/u/@me` → `https://me`), textForDisplay likewise
 *   (`connect to ws://ai.example:8443/x?email=a@b failed` → `connect to ws://b failed`;
 *   `replay udp://127.0.0.1:9/@x` is told `replay target "udp://x"`).
 * Correct: the userinfo is the part of the authority before its '@' (RFC 3986 §3.2, WHATWG URL:
 *   the authority ends at the first '/', '?' or '#'); a URL with no userinfo keeps its host:port and path —
 *   the commit's own regression promise, and what an operator needs to debug (host:port). Showing
 *   another, real-looking host is worse than "too little": the warning about a token in clear
 *   names the wrong machine.
 * Fix: src/sources/url-for-display.ts urlForDisplay: when `new URL(url)` parses, cut only its
 *   userinfo (none: return the text unchanged), keeping today's cut-at-the-last-'@' for text that
 *   does not parse (a typo'd URL may hide a password anywhere); textForDisplay: apply the same to
 *   each `scheme:/…` token instead of `\S*@`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { textForDisplay, urlForDisplay } from '../../../src/sources/url-for-display.js';
import { start, until } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r21-at-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// (the query's values may be shown as `…`: to-query-credential-echoed.test.ts; the authority and path stay)
it.each([
  ['https://ai.example:8443/ingest?email=ops@corp.example', 'https://ai.example:8443/ingest'],
  ['https://ai.example/users/@me/ingest', 'https://ai.example/users/@me/ingest'],
  ['wss://ai.example:8443/x#a@b', 'wss://ai.example:8443/x'],
  ['http://[::1]:8080/x?q=a@b', 'http://[::1]:8080/x'],
])('urlForDisplay(%s) keeps its host (no userinfo in it)', (url, kept) => {
  expect(urlForDisplay(url).slice(0, kept.length)).toBe(kept);
});

it('urlForDisplay still cuts real userinfo when the query holds an @ too', () => {
  const shown = urlForDisplay('https://u:s3cretPW@ai.example/x?e=a@b');
  expect(shown.slice(0, 20)).toBe('https://ai.example/x');
  expect(shown).not.toContain('s3cretPW');
});

it('textForDisplay keeps the host of a URL whose @ is in its query', () => {
  const shown = textForDisplay('connect to ws://ai.example:8443/x?email=a@b failed');
  expect(shown).toContain('connect to ws://ai.example:8443/x');
  expect(shown).toMatch(/ failed$/);
});

it('live: the token-in-clear warning names the host --to names', async () => {
  const live = start(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--to', 'http://127.0.0.1:1/ingest?tenant=ops@corp.example', '--token', 'T0K', '--spool', path.join(dir, 'spool')]);
  try {
    await until(() => /sent in clear/.test(live.err()) || live.exited() !== undefined, 60_000);
    const warning = live.err().split('\n').find((l) => /sent in clear/.test(l)) ?? '';
    expect(warning).toContain('http://127.0.0.1:1/ingest');
    expect(warning).not.toContain('http://corp.example');
  } finally {
    live.child.kill('SIGTERM');
    await until(() => live.exited() !== undefined, 30_000);
    if (live.exited() === undefined) live.child.kill('SIGKILL');
  }
}, 120_000);
