/**
 * Found by a review of replay outputs and live options (round 20), fixed since: an option given twice is refused naming it, --uri-allow's values accumulate (src/cli/args.ts parseOptions, from liveOptionsFromArgs and parseCommandArgs).
 */
/**
 * Input: `aipref-enforcer live --hep 127.0.0.1:9060 --uri-allow repo-a.internal --uri-allow
 *   repo-b.internal` (two private repositories, the flag repeated as curl/ssh -o habits go), and
 *   `--hep 0.0.0.0:9060 --hep [::]:9060`.
 * Was: (observed) accepted; only the last value counts (node:util parseArgs without `multiple`):
 *   repo-a.internal is silently not allowed, so every handle it serves is refused as a private
 *   address → unresolved → most restrictive statement for those calls; the HEP listener is only
 *   on [::]:9060. Nothing says the first value was dropped.
 * Correct: a value the service silently drops is a usage mistake said at once (2959c65's rule:
 *   "a mistake said at once, not ignored"; exit 2, README Live) — or, for --uri-allow, both
 *   hosts allowed. Either passes this test.
 * Fix: src/cli/live-options.ts liveOptionsFromArgs: parse with `tokens: true` (or `multiple: true`
 *   for string options) and refuse an option given twice (`--hep given twice`), or join repeated
 *   --uri-allow values with commas.
 */
import { expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';

it('--uri-allow given twice: refused, or both hosts allowed', async () => {
  let outcome: string;
  try {
    const o = await liveOptionsFromArgs(['--hep', '127.0.0.1:9060', '--uri-allow', 'repo-a.internal', '--uri-allow', 'repo-b.internal']);
    outcome = `accepted, uriAllow ${JSON.stringify(o.uriAllow)}`;
    if ([...(o.uriAllow ?? [])].sort().join() === 'repo-a.internal,repo-b.internal') outcome = 'ok';
  } catch (err) {
    outcome = err instanceof UsageError ? 'ok' : String(err);
  }
  expect(outcome).toBe('ok');
});

it('--hep given twice: refused (one listener only would be started)', async () => {
  const err = await liveOptionsFromArgs(['--hep', '0.0.0.0:9060', '--hep', '[::]:9060']).then(
    (o) => `accepted: hep ${JSON.stringify(o.hep)}`,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
});
