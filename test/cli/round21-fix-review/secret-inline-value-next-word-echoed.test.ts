/**
 * Found by a review of round 21's first fixes, fixed since: a secret option written with '=' counts as one with a separate value — the words after it are not shown (src/cli/args.ts secretValueBefore).
 * Input: a secret option written with '=' and an unquoted value of several words, the shell
 *   splitting it exactly as it splits the separate form 2b69ea0 now hides:
 *   `live --hep 127.0.0.1:0 --hep-auth-key=myK3y Pa55w0rd Phr4se`,
 *   `live --to https://svc.example/x --spool <dir> --token=Zq3 W0rd2`,
 *   `replay <cap> --to hep://127.0.0.1:9 --hep-auth-key=myK3y Pa55w0rd Phr4se`.
 * Was (observed, dist and src): `live: Unexpected argument 'Pa55w0rd'. This command does not take
 *   positional arguments` / `replay: unexpected argument 'Pa55w0rd'` — the second word of the key
 *   on stderr (journald, a CI log). secretValueBefore (src/cli/args.ts) only looks at a secret
 *   option token with `inlineValue === false`; the earlier review's test asserted the `=` form
 *   quoted (test/cli/round21-refactor-review/unexpected-argument-after-secret-value-echoes-it.test.ts,
 *   `['--hep-auth-key=k', 'stray']`), but nothing tells the two forms apart for the operator:
 *   `--hep-auth-key=my pass phrase` is the same forgotten quotes as `--hep-auth-key my pass phrase`.
 * Correct: the same line as for the separate form — "an unexpected argument follows
 *   --hep-auth-key's value, not shown (quote a value with spaces)" — no word of the key on stderr
 *   (2b69ea0's own rule: a word right after a secret's value is likely more of it; SECRET_OPTIONS:
 *   "a usage line names them, never their value").
 * Fix: src/cli/args.ts secretValueBefore: take a secret option token with a value whether inline or
 *   separate (`t.kind === 'option' && t.value !== undefined && SECRET_OPTIONS.has(t.name)`); the
 *   earlier review's `--hep-auth-key=k stray` assertion changes with it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseCommandArgs, parseOptions } from '../../../src/cli/args.js';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
const PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
const dir = mkdtempSync(path.join(tmpdir(), 'r21-fix-inline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec = { hep: { type: 'string' }, token: { type: 'string' }, 'hep-auth-key': { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } } as const;
const lineOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('no usage error');
};

it('parseOptions / parseCommandArgs: the word after --hep-auth-key=<value> is not shown', () => {
  expect(lineOf(() => parseOptions(['--hep', '127.0.0.1:0', '--hep-auth-key=myK3y', 'Pa55w0rd', 'Phr4se'], spec))).not.toContain('Pa55w0rd');
  expect(lineOf(() => parseCommandArgs(['cap.pcap', '--hep-auth-key=myK3y', 'Pa55w0rd'], spec))).not.toContain('Pa55w0rd');
  expect(lineOf(() => parseOptions(['--token=Zq3', 'W0rd2'], spec))).toBe("an unexpected argument follows --token's value, not shown (quote a value with spaces)");
});

it('CLI live: --hep-auth-key=myK3y Pa55w0rd Phr4se puts no word of the key on stderr', () => {
  const r = spawnSync(process.execPath, [BIN, 'live', '--hep', '127.0.0.1:0', '--hep-auth-key=myK3y', 'Pa55w0rd', 'Phr4se'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).not.toMatch(/myK3y|Pa55w0rd|Phr4se/);
  expect(r.stderr).toContain("follows --hep-auth-key's value");
});

it('CLI live: --token=Zq3 W0rd2 puts no word of the token on stderr', () => {
  const r = spawnSync(process.execPath, [BIN, 'live', '--hep', '127.0.0.1:0', '--to', 'https://svc.example/x', '--spool', path.join(dir, 'spool'), '--token=Zq3', 'W0rd2'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).not.toMatch(/Zq3|W0rd2/);
});

it('CLI replay --to: --hep-auth-key=myK3y Pa55w0rd Phr4se puts no word of the key on stderr', () => {
  const r = spawnSync(process.execPath, [BIN, 'replay', PCAP, '--to', 'hep://127.0.0.1:9', '--hep-auth-key=myK3y', 'Pa55w0rd', 'Phr4se'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).not.toMatch(/myK3y|Pa55w0rd|Phr4se/);
});
