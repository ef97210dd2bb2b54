/**
 * Found by a review of the credentials fixes (round 21), fixed since: urlForDisplay shows a query's keys without their values (`?key=…&tenant=…`) and a fragment as `#…`, so --to's usage lines, the token-in-clear warning and failure texts carry no query token (src/sources/url-for-display.ts urlForDisplay).
 * Input: an AI service that takes its key in the query (RFC 6750 §2.3's `access_token=`, an API's
 *   `?key=`, a signed `?sig=`): `aipref-enforcer live … --to 'https://user@ai.example/ingest?key=S3CRETQ'`
 *   (a stray `user@` refused), `--to 'ws://ai example/ingest?token=S3CRETQ'` (a typo), and
 *   `--to 'http://127.0.0.1:<port>/ingest?access_token=S3CRETQ' --token T` (the clear-text warning).
 * Was (observed): exit 2 with `--to takes no user:password@ or token@ in its URL
 *   ('https://ai.example/ingest?key=S3CRETQ')`, resp. `… not 'ws://ai example/ingest?token=S3CRETQ'`,
 *   and the start warning `--token is sent in clear to http://127.0.0.1:…/ingest?access_token=S3CRETQ`:
 *   the key on stderr (journald, a CI log). urlForDisplay strips userinfo only.
 * Correct: args.ts SECRET_OPTIONS — --to "may carry a credential: a usage line names it, never its
 *   value"; a query-string token is a credential as much as `user:password@` (RFC 6750 §2.3, and
 *   --token is Bearer-header only, so a service keyed by query has no other way in). An operator
 *   needs scheme://host:port/path to debug, not the query's values.
 * Fix: src/sources/url-for-display.ts urlForDisplay: show the query without its values (`?key=…`,
 *   or `?…`), and the fragment likewise; its callers (live-options.ts aiServiceUrl, live.ts warning)
 *   then need no change.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { textForDisplay, urlForDisplay } from '../../../src/sources/url-for-display.js';
import { cli, start, until } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r21-q-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it.each(['https://user@ai.example/ingest?key=S3CRETQ', 'ws://ai example/ingest?token=S3CRETQ'])('--to %s: bad usage, the query key not echoed', (to) => {
  const r = cli(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'o'), '--to', to, '--spool', path.join(dir, 's')], { timeout: 30_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('ai');
  expect(r.stderr).not.toContain('S3CRETQ');
}, 60_000);

it('the token-in-clear warning shows host:port, not the query key', async () => {
  const live = start(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--to', 'http://127.0.0.1:1/ingest?access_token=S3CRETQ', '--token', 'T0K', '--spool', path.join(dir, 'spool')]);
  try {
    await until(() => /sent in clear/.test(live.err()) || live.exited() !== undefined, 60_000);
    const warning = live.err().split('\n').find((l) => /sent in clear/.test(l)) ?? '';
    expect(warning).toContain('127.0.0.1:1');
    expect(live.err()).not.toContain('S3CRETQ');
  } finally {
    live.child.kill('SIGTERM');
    await until(() => live.exited() !== undefined, 30_000);
    if (live.exited() === undefined) live.child.kill('SIGKILL');
  }
}, 120_000);

it.each([
  ['https://ai.example/ingest?key=S3CRETQ&tenant=ops', 'https://ai.example/ingest?key=…&tenant=…'],
  ['https://ai.example/ingest?S3CRETQ', 'https://ai.example/ingest?…'],
  ['https://ai.example/ingest?key=S3CRETQ#S3CRETQ', 'https://ai.example/ingest?key=…#…'],
  ['https://u:S3CRETQ@ai.example/ingest?key=S3CRETQ', 'https://ai.example/ingest?key=…'],
  ['https://ai.example/ingest?', 'https://ai.example/ingest?'],
  // not a URL (a space): the query's values go all the same
  ['ws://ai example/ingest?token=S3CRETQ', 'ws://ai example/ingest?token=…'],
  // not a URL, an '@' after the '?': what follows it may be the query's, shown as '…'
  ['ws://ai example/x?e=a@b&key=S3CRETQ', 'ws://…'],
])('urlForDisplay(%s) → %s', (url, shown) => {
  expect(urlForDisplay(url)).toBe(shown);
});

it('textForDisplay shows a URL\'s query without its values', () => {
  expect(textForDisplay('GET https://ai.example/x?key=S3CRETQ failed (see https://ai.example/y?sig=S3CRETQ).')).toBe('GET https://ai.example/x?key=… failed (see https://ai.example/y?sig=…).');
});
