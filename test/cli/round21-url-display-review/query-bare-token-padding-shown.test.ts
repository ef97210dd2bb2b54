/**
 * Found by a review of the URL display rewrite (round 21), fixed since: a query part whose '=' all
 *   end it (a padded bare token) is shown as `…` (src/sources/url-for-display.ts valueHidden).
 * Input: a query that is one bare token in base64 with its padding (RFC 4648 §4: `=` or `==` at
 *   the end): `https://ai.example/ingest?UzNDUkVUMQ==` (base64 of "S3CRET1"), `?UzNDUkVUMTI=`;
 *   through urlForDisplay, `live --to 'ws://ai example/ingest?UzNDUkVUMQ=='` (a typo: the usage
 *   line quotes the URL) and a redirect's Location (HttpTransport.deliver answered
 *   `302 Location: https://elsewhere.example/dl?UzNDUkVUMQ==`).
 * Was (observed): `https://ai.example/ingest?UzNDUkVUMQ=…`, `?UzNDUkVUMTI=` (whole); the usage
 *   line `--to takes an http(s):// or ws(s):// URL, not 'ws://ai example/ingest?UzNDUkVUMQ=='`
 *   (exit 2); the log `HTTP 302 redirect to https://elsewhere.example/dl?UzNDUkVUMQ=…`.
 *   valueHidden takes the token's first '=' (its padding) for a key/value separator: the "key"
 *   shown is the token itself, and `?tok=` (a '=' last) is kept whole as a key with no value.
 * Correct: url-for-display.ts's own contract — "a part with no '=' (a bare token) as `…`"; a
 *   bare token is no less one for being padded (base64 is how tokens are written), and
 *   args.ts SECRET_OPTIONS says --to's value is never echoed. The key of a `key=value` stays.
 * Fix: src/sources/url-for-display.ts valueHidden: a part whose '=' are all at its end
 *   (/^[^=]*=+$/) is a bare token, shown as `…` (a `key=` with no value loses nothing by it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpTransport } from '../../../src/export/http-transport.js';
import { urlForDisplay } from '../../../src/sources/url-for-display.js';
import { cli } from './helpers.js';

let dir = '';
let srv: http.Server;
let port = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r21u-pad-'));
  srv = http.createServer((req, res) => {
    req.resume();
    res.writeHead(302, { location: 'https://elsewhere.example/dl?UzNDUkVUMQ==' });
    res.end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  port = (srv.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => srv.close(() => r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

it.each([
  ['https://ai.example/ingest?UzNDUkVUMQ==', 'UzNDUkVUMQ', 'https://ai.example/ingest?…'],
  ['https://ai.example/ingest?UzNDUkVUMTI=', 'UzNDUkVUMTI', 'https://ai.example/ingest?…'],
  ['https://ai.example/ingest?tenant=ops&UzNDUkVUMQ==', 'UzNDUkVUMQ', 'https://ai.example/ingest?tenant=…&…'],
])('urlForDisplay(%s) shows no part of the token', (url, token, shown) => {
  expect(urlForDisplay(url)).not.toContain(token);
  expect(urlForDisplay(url)).toBe(shown);
});

it('live --to with a typo: the usage line does not quote the padded token', () => {
  const r = cli(['live', '--hep', '127.0.0.1:0', '--to', 'ws://ai example/ingest?UzNDUkVUMQ==', '--spool', path.join(dir, 's')], { timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('ai example/ingest');
  expect(r.stderr).not.toContain('UzNDUkVUMQ');
}, 90_000);

it('a redirect to a padded-token link is logged without the token', async () => {
  const t = new HttpTransport({ url: `http://127.0.0.1:${port}/ingest`, timeoutMs: 5000 });
  const outcome = await t.deliver('{}', 'r1', new AbortController().signal);
  await t.close();
  expect(outcome.kind === 'retry' && outcome.reason).toBe('HTTP 302 redirect to https://elsewhere.example/dl?…: not followed, nothing delivered');
});
