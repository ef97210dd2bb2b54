/**
 * Found by a review of bad input on the command line, fixed since: an empty capture name is bad usage, exit 2 (src/cli/args.ts parseCommandArgs).
 *
 * Input: `aipref-enforcer replay '' --out d` (likewise `inspect ''`, `bindings ''`): the capture
 *   argument given but empty, as `replay "$CAPTURE"` gives when the variable is unset.
 * Was: exit 1 with "aipref-enforcer replay: : at byte 0: cannot open: ENOENT: no such file or
 *   directory" — the line names no file at all (the name is the empty string) and reads as if an
 *   existing file could not be opened.
 * Correct: SPEC §8 "2 bad usage", and the project rule "a clear one-line error naming … what was
 *   wrong": an empty capture argument is a missing capture, bad usage, said as such — as the
 *   commands already do for no capture ("a capture file is required", exit 2) and for an empty
 *   `--out` ("--out needs a folder, not an empty value", exit 2).
 * Fix: src/cli/args.ts parseCommandArgs: `if (capture === undefined || capture === '') throw new
 *   UsageError(...)` (an empty value named as such: "a capture file is required, not an empty value").
 */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { run } from './bad-input-helpers.js';

describe("an empty capture argument ('')", () => {
  it.each([['replay'], ['inspect'], ['bindings']])('%s: bad usage (exit 2) saying the capture is missing/empty, not ": at byte 0: cannot open"', async (command) => {
    const r = await run([command, '', ...(command === 'replay' ? ['--out', 'never-made-bad-input-review'] : [])], { cwd: tmpdir() });
    const first = r.stderr.split('\n')[0]!;
    expect(first).not.toMatch(/: : at byte 0/);
    expect(first).toMatch(new RegExp(`^aipref-enforcer ${command}: .*capture`));
    expect(r.code).toBe(2);
  });
});
