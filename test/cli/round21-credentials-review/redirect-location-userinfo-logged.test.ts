/**
 * Found by a review of the credentials fixes (round 21), fixed since: the redirect's Location is shown through urlForDisplay, on one line and capped at 200 characters as the challenge is (src/export/http-transport.ts judge, target).
 * Input: `live … --to http://127.0.0.1:<port>/ingest --spool <tmp>`, the service answering every
 *   POST `302 Location: https://user:S3CRETLOC@elsewhere.example/x` (a proxy or gateway handing
 *   out a URL with credentials or a signed link); here HttpTransport.deliver against it.
 * Was (observed, CLI and unit): each retry logs `{"event":"export-failure","exporter":"http",
 *   "kind":"retry","reason":"HTTP 302 redirect to https://user:S3CRETLOC@elsewhere.example/x: not
 *   followed, nothing delivered"}` — the Location header is put into the reason as received, not
 *   through textForDisplay (and with no length cap, unlike the WWW-Authenticate challenge).
 * Correct: 9e5335d's contract — "exporters' failure texts … lose any URL's userinfo"; stderr goes
 *   to collected logs. The operator needs the target host (elsewhere.example) to fix --to, not
 *   its credentials.
 * Fix: src/export/http-transport.ts judge(): the redirect reason shows
 *   urlForDisplay(location) (cleaned and capped as challenge() does).
 */
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpTransport } from '../../../src/export/http-transport.js';

let srv: http.Server;
let port = 0;
beforeAll(async () => {
  srv = http.createServer((req, res) => {
    req.resume();
    res.writeHead(302, { location: req.url === '/long' ? `https://elsewhere.example/${'p'.repeat(300)}\tx` : req.url === '/query' ? 'https://elsewhere.example/x?sig=S3CRETLOC' : 'https://user:S3CRETLOC@elsewhere.example/x' });
    res.end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  port = (srv.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => srv.close(() => r()));
});

it('a redirect reason names the target without its userinfo', async () => {
  const t = new HttpTransport({ url: `http://127.0.0.1:${port}/ingest`, timeoutMs: 5000 });
  const outcome = await t.deliver('{}', 'r1', new AbortController().signal);
  await t.close();
  expect(outcome.kind).toBe('retry');
  const text = JSON.stringify(outcome);
  expect(text).toContain('302');
  expect(text).toContain('elsewhere.example');
  expect(text).not.toContain('S3CRETLOC');
});

it('a redirect reason shows the query without its values', async () => {
  const t = new HttpTransport({ url: `http://127.0.0.1:${port}/query`, timeoutMs: 5000 });
  const outcome = await t.deliver('{}', 'r1', new AbortController().signal);
  await t.close();
  expect(outcome.kind === 'retry' && outcome.reason).toBe('HTTP 302 redirect to https://elsewhere.example/x?sig=…: not followed, nothing delivered');
});

it('a long Location is capped as a challenge is', async () => {
  const t = new HttpTransport({ url: `http://127.0.0.1:${port}/long`, timeoutMs: 5000 });
  const outcome = await t.deliver('{}', 'r1', new AbortController().signal);
  await t.close();
  const reason = outcome.kind === 'retry' ? outcome.reason : '';
  expect(reason).toMatch(/^HTTP 302 redirect to https:\/\/elsewhere\.example\/p+…: not followed, nothing delivered$/);
  expect(reason.length).toBeLessThan(300);
});
