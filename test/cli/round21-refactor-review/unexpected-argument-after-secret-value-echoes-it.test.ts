/**
 * Found by a review of the round-21 refactors, fixed since: an unexpected argument directly after a secret option's value is not shown (src/cli/args.ts usageMessage / parseCommandArgs, secretValueBefore).
 * Input: `live --hep 127.0.0.1:0 --hep-auth-key my pass phrase` (a passphrase not quoted), and
 *   `replay <cap> --to hep://127.0.0.1:9 --hep-auth-key my pass phrase`, and
 *   `replay --to hep://127.0.0.1:9 --hep-auth-key my pass phrase <cap>` (the capture last).
 * Was: `live: usage: Unexpected argument 'pass'. …` / `replay: unexpected argument 'pass'` (or
 *   'phrase', the capture taken for 'pass') — part of the secret on stderr (journald, a CI log).
 * Correct: the line says an unexpected argument follows --hep-auth-key's value (quote a value with
 *   spaces) and shows no word of it; an unexpected argument elsewhere is still quoted as before.
 * Changed since (review of round 21's first fixes, test/cli/round21-fix-review/
 *   secret-inline-value-next-word-echoed.test.ts): a secret option written with '=' counts too —
 *   `--hep-auth-key=k stray` is no longer quoted ('stray' is likely more of the key:
 *   `--hep-auth-key=my pass phrase`), it gets the same line.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseCommandArgs, parseOptions } from '../../../src/cli/args.js';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
const PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');

const spec = { hep: { type: 'string' }, token: { type: 'string' }, 'hep-auth-key': { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } } as const;
const EXPECTED = "an unexpected argument follows --hep-auth-key's value, not shown (quote a value with spaces)";

const lineOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('no usage error');
};

it('parseOptions (no positionals, as live): the word after the secret value is not shown', () => {
  const line = lineOf(() => parseOptions(['--hep', '127.0.0.1:0', '--hep-auth-key', 'my', 'pass', 'phrase'], spec));
  expect(line).toBe(EXPECTED);
  expect(lineOf(() => parseOptions(['--token', 'ab', 'cd'], spec))).toBe("an unexpected argument follows --token's value, not shown (quote a value with spaces)");
});

it('parseOptions: an unexpected argument elsewhere is still quoted; one after a secret written with = is not shown', () => {
  expect(lineOf(() => parseOptions(['stray', '--hep-auth-key', 'k'], spec))).toMatch(/^Unexpected argument 'stray'/);
  expect(lineOf(() => parseOptions(['--hep-auth-key=k', 'stray'], spec))).toBe(EXPECTED);
  expect(lineOf(() => parseOptions(['--json', 'stray'], spec))).toMatch(/^Unexpected argument 'stray'/);
});

it('parseCommandArgs (replay/inspect/bindings): capture first or last, the words of the key are not shown', () => {
  expect(lineOf(() => parseCommandArgs(['cap.pcap', '--hep-auth-key', 'my', 'pass', 'phrase'], spec))).toBe(EXPECTED);
  // the capture last: 'pass' is taken for the capture, 'phrase' and the capture are extra
  expect(lineOf(() => parseCommandArgs(['--hep-auth-key', 'my', 'pass', 'phrase', 'cap.pcap'], spec))).toBe(EXPECTED);
  expect(lineOf(() => parseCommandArgs(['--hep-auth-key', 'my', 'pass', 'cap.pcap'], spec))).toBe(EXPECTED);
  // as before: an extra argument nowhere near a secret value is quoted; a key followed by its capture is fine
  expect(lineOf(() => parseCommandArgs(['cap.pcap', 'b'], spec))).toBe("unexpected argument 'b'");
  expect(lineOf(() => parseCommandArgs(['cap.pcap', '--hep-auth-key', 'k', '--json', 'b'], spec))).toBe("unexpected argument 'b'");
  expect(parseCommandArgs(['--hep-auth-key', 'k', 'cap.pcap'], spec).capture).toBe('cap.pcap');
});

it('CLI live: --hep-auth-key my pass phrase puts no word of the key on stderr', () => {
  const r = spawnSync(process.execPath, [BIN, 'live', '--hep', '127.0.0.1:0', '--hep-auth-key', 'myK3y', 'Pa55w0rd', 'Phr4se'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("an unexpected argument follows --hep-auth-key's value");
  expect(r.stderr).not.toMatch(/myK3y|Pa55w0rd|Phr4se/);
});

it('CLI replay: --hep-auth-key my pass phrase, capture first or last, puts no word of the key on stderr', () => {
  for (const args of [
    [PCAP, '--to', 'hep://127.0.0.1:9', '--hep-auth-key', 'myK3y', 'Pa55w0rd', 'Phr4se'],
    ['--to', 'hep://127.0.0.1:9', '--hep-auth-key', 'myK3y', 'Pa55w0rd', 'Phr4se', PCAP],
  ]) {
    const r = spawnSync(process.execPath, [BIN, 'replay', ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("an unexpected argument follows --hep-auth-key's value");
    expect(r.stderr).not.toMatch(/myK3y|Pa55w0rd|Phr4se/);
  }
});
