/**
 * Found by a review of the round-21 refactors, fixed since: the occurrence named is the one parseArgs refused, its value a '-' and one more character at least (src/cli/args.ts refusedValue).
 * Input: `--out - --out -x` (and `live … --uri-allow - --uri-allow -x`, a list option given twice):
 *   the first value is a lone '-', the second one a dash value parseArgs refuses.
 * Was (observed): `--out needs a value: '-' looks like an option (write --out=- to give it)`.
 *   parseArgs' strict check refuses a value only when it is option-like — a '-' and at least one more
 *   character (node:util parseArgs isOptionLikeValue: `value.length > 1 && value[0] === '-'`), so the
 *   lone '-' passed and '-x' was refused; refusedValue (cd365fd, the same test as before it) takes
 *   the first token whose value merely starts with '-', so it names the accepted '-' and tells the
 *   operator to write `--out=-`, which changes nothing.
 * Correct: the occurrence refused is the one named (0330ccc: "the refused occurrence is the one
 *   named"): '-x', with `write --out=-x to give it`.
 * Fix: src/cli/args.ts refusedValue: match parseArgs' own test — `t.value.length > 1 && t.value.startsWith('-')`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseOptions } from '../../../src/cli/args.js';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');

it("usageMessage names the refused '-x', not the accepted lone '-'", () => {
  let line = '';
  try {
    parseOptions(['--out', '-', '--out', '-x'], { out: { type: 'string' } });
  } catch (err) {
    line = (err as Error).message;
  }
  expect(line).toBe("--out needs a value: '-x' looks like an option (write --out=-x to give it)");
});

it("CLI live: --uri-allow - --uri-allow -x names '-x'", () => {
  const r = spawnSync(process.execPath, [BIN, 'live', '--hep', '127.0.0.1:0', '--uri-allow', '-', '--uri-allow', '-x'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("--uri-allow needs a value: '-x' looks like an option");
});
