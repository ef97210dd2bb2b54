/**
 * Found by a review of replay outputs and live options (round 20), fixed since: --udp-mode without --udp, --rotate-bytes/--rotate-age/--max-files with no file output, --nats-max-age/--nats-max-pending without --nats, --uri-allow/--uri-ca with --no-resolve-uri are refused (src/cli/live-options.ts optionsFrom).
 */
/**
 * Input: `aipref-enforcer live` with an option whose input or output is not asked for, beyond the
 *   four 2959c65 refuses: (a) `--hep 0.0.0.0:9060 --udp-mode ip-packet` (no --udp), (b)
 *   `--to … --spool … --rotate-bytes 1000000` / `--rotate-age 1h` / `--max-files 5` (no file
 *   output: with --to, no --out means none), (c) `--hep … --nats-max-pending 100` (no --nats).
 * Was: (observed, CLI and liveOptionsFromArgs) accepted and silently ignored: the service starts
 *   (exit 0 at stop), the operator believing mirrored IP packets, file rotation or a NATS bound
 *   are in force.
 * Correct: README (Live, 2959c65): "an option whose input or output is not asked for (`--spool` or
 *   `--token` without `--to`, `--hep-auth-key` without `--hep`, `--filter` without
 *   `--interface`) is bad usage, exit 2" — the rule is general, the list its examples; replay
 *   already refuses the same mistake (`--udp-mode ip-packet applies to --to udp://`).
 * Fix: src/cli/live-options.ts optionsFrom: refuse `udp-mode` without `udp`; `rotate-bytes`,
 *   `rotate-age`, `max-files` when `out` is undefined (neither given nor defaulted); `nats-max-age`
 *   and `nats-max-pending` without `nats` (after checking their values, as now) — UsageError.
 */
import { describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';

async function refusal(args: string[]): Promise<unknown> {
  try {
    await liveOptionsFromArgs(args);
  } catch (err) {
    return err;
  }
  return null;
}

const TO = ['--to', 'https://ai.example/telemetry', '--spool', '/var/lib/aipref/spool'];

describe('live: an option whose input or output is not asked for is bad usage', () => {
  const cases: [string, string[]][] = [
    ['(a) --udp-mode without --udp', ['--hep', '127.0.0.1:9060', '--udp-mode', 'ip-packet']],
    ['(b) --rotate-bytes with no file output', ['--hep', '127.0.0.1:9060', ...TO, '--rotate-bytes', '1000000']],
    ['(b) --rotate-age with no file output', ['--hep', '127.0.0.1:9060', ...TO, '--rotate-age', '1h']],
    ['(b) --max-files with no file output', ['--hep', '127.0.0.1:9060', ...TO, '--max-files', '5']],
    ['(c) --nats-max-pending without --nats', ['--hep', '127.0.0.1:9060', '--nats-max-pending', '100']],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const err = await refusal(args);
      expect(err, `${args.join(' ')}: accepted`).toBeInstanceOf(UsageError);
    });
  }
});
