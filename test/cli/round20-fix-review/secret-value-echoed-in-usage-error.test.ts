/**
 * Found by a review of this session's fixes (round 20), fixed since: a secret option's value (--token, --hep-auth-key, URLs of --to/--nats) is never echoed, and the refused occurrence is the one named (src/cli/args.ts usageMessage, urlForDisplay).
 *
 * Input: `aipref-enforcer live --hep 127.0.0.1:0 --to https://ai.example/ingest --spool <dir>
 *   --token -Zq3s3cr3t` (a bearer token that starts with a dash, as base64url tokens may), and
 *   the same with `--hep-auth-key -k3y` / `--token first --token -second`.
 * Was (observed): exit 2 with `aipref-enforcer live: --token needs a value: '-Zq3s3cr3t' looks
 *   like an option (write --token=-Zq3s3cr3t to give it)` — the secret on stderr (journald, a CI
 *   log). With the option given twice (`--token a --token -b`) the line even names the first
 *   value ('a'), not the one refused: args.indexOf finds the first `--token`.
 * Correct: parseOptions' own contract (src/cli/args.ts: "bad usage naming it (never its values:
 *   a --token)"), kept by the "given twice" line, is broken by the "ambiguous" line it shares
 *   usageMessage with: a usage error names the option and says how to give a dash value
 *   (`--token=<value>`), never the value of a secret option (--token, --hep-auth-key); an
 *   operator does not expect a credential in the service's log because it began with '-'.
 * Fix: src/cli/args.ts usageMessage: do not echo the value (say `write --token=<value>`), at least
 *   for the secret options; and take the option's occurrence from parseArgs' error/tokens rather
 *   than args.indexOf (the first occurrence).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix-secret-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const cases: [string, string[], string][] = [
  ['--token with a leading dash', ['--to', 'https://ai.example/ingest', '--token', '-Zq3s3cr3t'], 'Zq3s3cr3t'],
  ['--hep-auth-key with a leading dash', ['--hep-auth-key', '-k3yS3cr3t'], 'k3yS3cr3t'],
  ['--token given twice, the second with a dash', ['--to', 'https://ai.example/ingest', '--token', 'firstS3cr3t', '--token', '-second'], 'firstS3cr3t'],
];

for (const [name, extra, secret] of cases) {
  it(`${name}: exit 2, the secret not on stderr`, () => {
    const r = cli(['live', '--hep', '127.0.0.1:0', '--spool', path.join(dir, 'spool'), ...extra]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--(token|hep-auth-key)/);
    expect(r.stderr).not.toContain(secret);
  });
}
