/**
 * Found by a review of round 21's first fixes, fixed since: an unknown option that is a secret option's name with more glued on, and does not read as an option name (lower-case words joined by '-'), is shown cut after that name: "Unknown option '--token…' (not shown whole: write --token=<value>)" (src/cli/args.ts usageMessage, unknownOption, gluedSecret).
 * Input: a secret option with its value glued on by something other than '=' (a ':' as in YAML
 *   or a unit file's habit, or no separator at all):
 *   `live --hep 127.0.0.1:0 --hep-auth-key:myK3y`, `live --hep 127.0.0.1:0 --tokenZq3secret`,
 *   `live --hep 127.0.0.1:0 --to:https://user:pa55@svc.example/x`.
 * Was (observed): `live: Unknown option '--hep-auth-key:myK3y'` / `'--tokenZq3secret'` /
 *   `'--to:https://user:pa55@svc.example/x'` — node:util parseArgs names the unknown option by its
 *   rawName, the whole word before any '=', and usageMessage passes it through: the key, the
 *   token and the URL's password on stderr (journald, a CI log).
 * Correct: an unknown option that is a secret option's name followed by a character no option
 *   name has (not [a-z-]: a `:`, an uppercase letter or digit…) is shown only up to that
 *   name, e.g. "Unknown option '--hep-auth-key…' (not shown whole: write --hep-auth-key=<value>)";
 *   SECRET_OPTIONS: a line names a secret option, never its value. An ordinary unknown option
 *   (`--topic`, `--tokens`) is still quoted whole.
 * Fix: src/cli/args.ts usageMessage: for code ERR_PARSE_ARGS_UNKNOWN_OPTION, match the quoted
 *   name against /^--(token|hep-auth-key|to|nats)(?![a-z-])(.+)$/ (from SECRET_OPTIONS, the
 *   longest name first) and cut it there; otherwise as now.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseCommandArgs, parseOptions } from '../../../src/cli/args.js';
import { LIVE_OPTIONS } from '../../../src/cli/live-options.js';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');

const lineOf = (args: string[]): string => {
  try {
    parseOptions(args, LIVE_OPTIONS);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('no usage error');
};

it('parseOptions: a secret glued to its option name is not shown; --topic still is', () => {
  expect(lineOf(['--hep', '127.0.0.1:0', '--hep-auth-key:myK3y'])).not.toContain('myK3y');
  expect(lineOf(['--hep', '127.0.0.1:0', '--tokenZq3secret'])).not.toContain('Zq3secret');
  expect(lineOf(['--hep', '127.0.0.1:0', '--to:https://user:pa55@svc.example/x'])).not.toContain('pa55');
  expect(lineOf(['--hep', '127.0.0.1:0', '--hep-auth-key:myK3y'])).toBe("Unknown option '--hep-auth-key…' (not shown whole: write --hep-auth-key=<value>)");
  expect(lineOf(['--hep', '127.0.0.1:0', '--tokenZq3secret'])).toBe("Unknown option '--token…' (not shown whole: write --token=<value>)");
  expect(lineOf(['--hep', '127.0.0.1:0', "--token'Zq3secret'"])).toBe("Unknown option '--token…' (not shown whole: write --token=<value>)");
  expect(lineOf(['--hep', '127.0.0.1:0', '--tokenzq3secret'])).toBe("Unknown option '--token…' (not shown whole: write --token=<value>)");
  expect(lineOf(['--hep', '127.0.0.1:0', '--to:https://user:pa55@svc.example/x'])).toBe("Unknown option '--to…' (not shown whole: write --to=<value>)");
  // a command without that option: no advice to write it
  let inspectLine = '';
  try {
    parseCommandArgs(['cap.pcap', '--tokenZq3secret'], { json: { type: 'boolean' } });
  } catch (err) {
    inspectLine = (err as Error).message;
  }
  expect(inspectLine).toBe("Unknown option '--token…' (not shown whole)");
  // (as before) an unknown option that reads as an option name is quoted whole
  expect(lineOf(['--hep', '127.0.0.1:0', '--topic', 'x'])).toMatch(/^Unknown option '--topic'/);
  expect(lineOf(['--hep', '127.0.0.1:0', '--tokens', 'x'])).toMatch(/^Unknown option '--tokens'/);
  expect(lineOf(['--hep', '127.0.0.1:0', '--nats-max-agee', '1'])).toMatch(/^Unknown option '--nats-max-agee'/);
});

it('CLI live: the glued key, token and URL password are not on stderr', () => {
  for (const [arg, secret] of [
    ['--hep-auth-key:myK3y', 'myK3y'],
    ['--tokenZq3secret', 'Zq3secret'],
    ['--to:https://user:pa55@svc.example/x', 'pa55'],
  ] as const) {
    const r = spawnSync(process.execPath, [BIN, 'live', '--hep', '127.0.0.1:0', arg], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown option/i);
    expect(r.stderr).not.toContain(secret);
  }
});
