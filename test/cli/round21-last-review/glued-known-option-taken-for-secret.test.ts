/**
 * Found by a review of round 21's last fixes, fixed since: a word that starts with a longer non-secret option's name (`--nats-max-age7d`) is no glued secret: quoted whole as before (src/cli/args.ts gluedSecret).
 * Input: `live --hep 127.0.0.1:9060 --nats nats://h:4222 --nats-max-age7d` (the space forgotten),
 *   `--nats-max-pending100000`, `--nats-max-age:7d`: a typo on an ordinary, non-secret option whose
 *   name happens to begin with a secret option's (`nats`).
 * Was (observed, since 7b3f4d1): "Unknown option '--nats…' (not shown whole: write --nats=<value>)"
 *   — the option the operator typed is hidden and the advice names the wrong option (--nats, which
 *   they gave correctly). Before 7b3f4d1: "Unknown option '--nats-max-age7d'". The same slip on
 *   any other option (`--workers4`, `--stats-every10s`, `--metrics9100`) is still quoted whole.
 * Correct: gluedSecret is for a secret option with its value glued on (`--hep-auth-key:K`); a word
 *   that starts with a longer, non-secret option's name (`--nats-max-age`, `--nats-max-pending`)
 *   is that option's typo, and nothing in it is a secret: quote it whole as before (or name
 *   `--nats-max-age` and suggest `--nats-max-age=<value>`), never advise `--nats=<value>`.
 *   (`--nats_max_age 7d`, underscores, gets the same wrong advice; not tested here, since
 *   telling it from a glued value is a judgment.)
 * Fix: src/cli/args.ts gluedSecret (or usageMessage, which has `options`): return undefined when an
 *   option of `options` that is not in SECRET_OPTIONS and is longer than the secret name found is
 *   also a prefix of the word (`--nats-max-age` of `--nats-max-age7d`).
 */
import { expect, it } from 'vitest';
import { parseOptions } from '../../../src/cli/args.js';
import { LIVE_OPTIONS } from '../../../src/cli/live-options.js';
import { lineOf } from './helpers.js';

it.each([['--nats-max-age7d'], ['--nats-max-pending100000'], ['--nats-max-age:7d']])('%s: the typo quoted, no advice to write --nats=', (word) => {
  const line = lineOf(() => parseOptions(['--hep', '127.0.0.1:0', '--nats', 'nats://h:4222', word], LIVE_OPTIONS));
  expect(line).toMatch(/^Unknown option/);
  expect(line).toContain(word.replace(/:.*$/, ''));
  expect(line).not.toContain('write --nats=');
});

it.each([['--nats:nats://u:S3CRET@h'], ['--natsS3CRET'], ['--nats-S3CRET']])('%s: a value glued to --nats itself still not shown', (word) => {
  const line = lineOf(() => parseOptions(['--hep', '127.0.0.1:0', word], LIVE_OPTIONS));
  expect(line).toMatch(/^Unknown option '--nats…'/);
  expect(line).not.toContain('S3CRET');
});
