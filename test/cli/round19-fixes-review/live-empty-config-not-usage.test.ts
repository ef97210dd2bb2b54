/**
 * Found by a review of the nineteenth round's own fixes, fixed since: liveOptionsFromArgs refuses empty flag values before the config file is read (src/cli/live-options.ts liveOptionsFromArgs).
 */
/**
 * Input: `aipref-enforcer live --config '' --hep 127.0.0.1:0` (and `--config=`): the systemd
 *   unit's `--config ${CONFIG}` with the variable unset, a wrapper script's "$CONFIG".
 * Was (observed): exit 1, stderr `aipref-enforcer live: : cannot read config file: ENOENT: no such
 *   file or directory, open ''` — a file named '' in Node's words; the one option b69cfed's
 *   refuseEmptyValues does not cover, because liveOptionsFromArgs reads the config file before
 *   optionsFrom() calls refuseEmptyValues on the merged values.
 * Correct: exit 2 (SPEC §8: bad usage), one line naming the option, as every other empty value
 *   now is: `--config needs a value, not '' (an empty one)` — b69cfed: "every command refuses an
 *   empty option value"; and exit 2 is the unit's RestartPreventExitStatus, while exit 1 makes
 *   systemd restart a service that can never start (Restart=on-failure) until the start limit.
 * Fix: src/cli/live-options.ts liveOptionsFromArgs: call refuseEmptyValues(flags) right after
 *   parseArgs, before `readConfig(flags.config)`.
 */
import { describe, expect, it } from 'vitest';
import { cli } from '../../e2e/e2e-helpers.js';

describe('live: an empty --config is bad usage', () => {
  it.each([[['--config', '']], [['--config=']]])('%j exits 2 naming --config', async (cfg) => {
    const r = await cli('live', ...cfg, '--hep', '127.0.0.1:0');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/--config needs a value/);
    expect(r.stderr).not.toMatch(/ENOENT|open ''/);
  });
});
