/**
 * Found by a review of the CLI fixes (round 20), fixed since: urlForDisplay drops everything up to the last '@' whatever follows the scheme (src/sources/url-for-display.ts).
 *
 * Input: `aipref-enforcer live --hep 127.0.0.1:0 --to https:/user:s3cretPW@ai.example/x --spool
 *   <tmp>` (one slash lost in typing), and urlForDisplay('https:/user:s3cretPW@ai.example/x').
 * Was (observed): exit 2 with `--to takes an http(s):// or ws(s):// URL, not
 *   'https:/user:s3cretPW@ai.example/x'` — urlForDisplay's pattern
 *   /^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/ only strips userinfo right after `scheme://`, or at the
 *   start with no '/' before the '@'; here the '/' of `https:/` stops it and the whole text,
 *   password included, is echoed. (Likewise `https:user:pw@host/…` is stripped only by luck.)
 * Correct: 0330ccc (args.ts SECRET_OPTIONS): a --to / --nats value may carry a user:password@ and
 *   a usage line names the option, never that; the one place a malformed URL is shown is exactly
 *   where a typo makes it malformed, so the redaction must not depend on it being well formed.
 * Fix: src/cli/args.ts urlForDisplay: drop everything up to the last '@' before the first
 *   '?'/'#' (or after the scheme's ':' whatever slashes follow), e.g.
 *   url.replace(/^([a-z][a-z0-9+.-]*:\/*)?[^?#]*@/i, '$1'); or show no value for a refused --to.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { urlForDisplay } from '../../../src/cli/args.js';
import { cli } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix2-slash-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('urlForDisplay drops the userinfo after a one-slash scheme', () => {
  expect(urlForDisplay('https:/user:s3cretPW@ai.example/x')).not.toContain('s3cretPW');
});

it('live --to https:/user:pw@…: bad usage, the password not echoed', () => {
  const r = cli(['live', '--hep', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--to', 'https:/user:s3cretPW@ai.example/x', '--spool', path.join(dir, 'spool')], { timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).not.toContain('s3cretPW');
}, 120_000);
