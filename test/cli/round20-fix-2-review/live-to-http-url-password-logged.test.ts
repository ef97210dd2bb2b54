/**
 * Found by a review of the CLI fixes (round 20), fixed since: --to with user:password@ is bad usage at start, shown without the credentials (src/cli/live-options.ts aiServiceUrl); exporters' failure texts lose any URL's userinfo (src/export/http-transport.ts describe, src/sources/url-for-display.ts textForDisplay).
 *
 * Input: `aipref-enforcer live --hep 127.0.0.1:0 --out <tmp> --policy samples/policy.json
 *   --to http://user:s3cretPW@127.0.0.1:9/ingest --spool <tmp>` (the AI service behind Basic
 *   auth, credentials in the URL, as --nats takes them), fed samples/call-small.pcap.
 * Was (observed): the start is accepted (start line and the --token warning show the URL without
 *   credentials, as 0330ccc made them), then every delivery attempt logs
 *   `{"event":"export-failure","exporter":"http","kind":"retry","reason":"Request cannot be
 *   constructed from a URL that includes credentials: http://user:s3cretPW@127.0.0.1:9/ingest"}`
 *   — Node's fetch refuses any URL with userinfo and its message carries the whole URL; the
 *   password goes to journald on every retry, and no line is ever delivered (retried until it
 *   expires). Same for https:// (the fetch fallback of HttpsOrigin).
 * Correct: 0330ccc's own contract (SECRET_OPTIONS: "--to … may carry a user:password@ … never its
 *   value"): a password in --to never reaches a log line. And a --to the exporter can never use is
 *   bad usage at start (exit 2, README Live: "a value of the wrong type … is bad usage"), or its
 *   userinfo is taken out of the URL into an Authorization: Basic header (as nats-exporter's
 *   splitUserinfo does for --nats) — not retried forever.
 * Fix: src/cli/live-options.ts optionsFrom: parse --to with new URL and refuse username/password
 *   (naming --to, urlForDisplay), or src/export/http-transport.ts: strip userinfo into a Basic
 *   header; and describe() (http-transport.ts) / exporterOf's reasons passed through a redaction
 *   of the URL (urlForDisplay) before they reach the log.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { liveFed } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix2-httppw-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a password in an http --to URL never reaches stderr (refused at start or delivered with)', async () => {
  const err = await liveFed(
    ['--out', path.join(dir, 'out'), '--to', 'http://user:s3cretPW@127.0.0.1:9/ingest', '--spool', path.join(dir, 'spool')],
    (e) => /"event":"export-failure"/.test(e),
  );
  expect(err).not.toContain('s3cretPW');
}, 300_000);
