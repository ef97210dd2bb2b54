/**
 * Found by a review of standard input, second pass (9bb1a94: noted, no test), fixed since: an option
 * of an output or input not asked for is bad usage, as `--filter` without `--interface` was
 * (src/cli/live-options.ts optionsFrom).
 * Input: `live --udp … --spool d` (no --to), `live --udp … --token t` (no --to),
 *   `live --udp … --hep-auth-key k` (no --hep).
 * Was: accepted; the spool was neither checked nor used, the token and key went nowhere — an
 *   operator who forgot --to (or --hep) was told nothing.
 * Correct: exit 2, one line naming the option and what it applies to.
 */
import { describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';

describe('live: an option of an output or input not asked for', () => {
  it.each([
    [['--spool', '/tmp/s'], /--spool applies to --to/],
    [['--token', 't'], /--token applies to --to/],
    [['--hep-auth-key', 'k'], /--hep-auth-key applies to --hep/],
  ])('%j is bad usage', async (extra, said) => {
    const refused = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', ...extra]).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as Error).message).toMatch(said);
  });

  it('each with its input or output is taken', async () => {
    const o = await liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--hep-auth-key', 'k', '--to', 'https://ai.example/x', '--token', 't', '--spool', '/tmp/s']);
    expect(o.hepAuthKey).toBe('k');
    expect(o.aiService).toMatchObject({ url: 'https://ai.example/x', token: 't', spoolDir: '/tmp/s' });
  });
});
