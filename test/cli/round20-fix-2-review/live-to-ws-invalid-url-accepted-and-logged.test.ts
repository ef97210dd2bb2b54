/**
 * Found by a review of the CLI fixes (round 20), fixed since: every --to is parsed with new URL at start (exit 2), and the ws transport's connect error loses the URL's userinfo (src/cli/live-options.ts aiServiceUrl, src/export/websocket-transport.ts).
 *
 * Input: `aipref-enforcer live --hep 127.0.0.1:0 --out <tmp> --to 'ws://user:s3cretPW@bad host/x'
 *   --spool <tmp>` (a URL that does not parse: a space in the host, a pasting slip), fed
 *   samples/call-small.pcap.
 * Was (observed): the start is accepted (exporters ["file","ws"]); every attempt then logs
 *   `{"event":"export-failure","exporter":"ws","kind":"retry","reason":"connect: Invalid URL:
 *   ws://user:s3cretPW@bad host/x"}` (the ws package's SyntaxError names the address): the
 *   password in the log on each retry, and nothing ever delivered. The same mistake with http://
 *   is refused at start (`aipref-enforcer live: Invalid URL`, HttpTransport's new URL).
 * Correct: README Live: a value of the wrong type is bad usage, exit 2 at start; a --to that is no
 *   URL is one — for ws(s) as for http(s) — and the line names --to, never its userinfo (0330ccc's
 *   SECRET_OPTIONS contract: a URL's user:password@ is never echoed).
 * Fix: src/cli/live-options.ts optionsFrom: `new URL(to)` for every --to, a failure a UsageError
 *   `--to takes an http(s):// or ws(s):// URL, not '${urlForDisplay(to)}'`; and
 *   src/export/websocket-transport.ts: the connect error's text redacted (urlForDisplay) before it
 *   becomes a reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, liveFed } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix2-wsurl-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a ws --to that is no URL is bad usage at start, without its password', () => {
  const r = cli(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'a-out'), '--to', 'ws://user:s3cretPW@bad host/x', '--spool', path.join(dir, 'a-spool')], { timeout: 30_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--to');
  expect(r.stderr).not.toContain('s3cretPW');
}, 120_000);

it('and never logs the password while running', async () => {
  const err = await liveFed(
    ['--out', path.join(dir, 'b-out'), '--to', 'ws://user:s3cretPW@bad host/x', '--spool', path.join(dir, 'b-spool')],
    (e) => /"event":"export-failure"/.test(e) || /"event":"start"/.test(e) === false,
  );
  expect(err).not.toContain('s3cretPW');
}, 300_000);
