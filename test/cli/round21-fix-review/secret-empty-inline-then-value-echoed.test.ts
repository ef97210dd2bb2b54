/**
 * Found by a review of round 21's first fixes, fixed since: the word after `--x=` (a secret option, its value empty) is not shown, said as "--x= is followed by a separate argument, not shown (write --x=<value> with no space)" — also when it was taken for replay's capture (src/cli/args.ts secretValueBefore, spilledSecretMessage, parseCommandArgs).
 * Input: a space typed after a secret option's '=' — `--hep-auth-key= myK3y`, `--token= Zq3`
 *   (a unit's `ExecStart=… --token= ${TOKEN}`, a script's `--hep-auth-key= "$KEY"`):
 *   `live --hep 127.0.0.1:0 --hep-auth-key= myK3y`,
 *   `live --hep 127.0.0.1:0 --to https://svc.example/x --spool <dir> --token= Zq3secret`,
 *   `replay <cap> --to hep://127.0.0.1:9 --hep-auth-key= myK3y`.
 * Was (observed): `live: Unexpected argument 'myK3y'. This command does not take positional
 *   arguments` / `replay: unexpected argument 'myK3y'` — the WHOLE key on stderr. The empty
 *   `--hep-auth-key=` is refused only later (refuseEmptyValues, "needs a value, not ''"); strict
 *   parsing stops first at the positional, and secretValueBefore (src/cli/args.ts) skips a secret
 *   option written with '=' (inlineValue true), so the positional is quoted.
 * Correct: the key never on stderr (SECRET_OPTIONS: a line names a secret option, never its
 *   value). A word right after a secret option written `--x=` (its value empty) is that option's
 *   value with a stray space: say so without it, e.g. "--hep-auth-key= is followed by a separate
 *   argument, not shown (write --hep-auth-key=<value> with no space)"; at least the 2b69ea0 line
 *   "an unexpected argument follows --hep-auth-key's value, not shown".
 * Fix: src/cli/args.ts secretValueBefore: count a secret option token with an inline value too
 *   (`t.value !== undefined`, inline or not) — the same change as
 *   secret-inline-value-next-word-echoed.test.ts; optionally a message of its own for an empty
 *   inline value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseOptions } from '../../../src/cli/args.js';
import { LIVE_OPTIONS } from '../../../src/cli/live-options.js';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
const PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
const dir = mkdtempSync(path.join(tmpdir(), 'r21-fix-eqspace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('parseOptions: --hep-auth-key= myK3y does not quote myK3y', () => {
  let line = '';
  try {
    parseOptions(['--hep', '127.0.0.1:0', '--hep-auth-key=', 'myK3y'], LIVE_OPTIONS);
  } catch (err) {
    line = (err as Error).message;
  }
  expect(line).toBe('--hep-auth-key= is followed by a separate argument, not shown (write --hep-auth-key=<value> with no space)');
});

it('CLI live: --hep-auth-key= myK3y and --token= Zq3secret put no key on stderr', () => {
  for (const args of [
    ['--hep', '127.0.0.1:0', '--hep-auth-key=', 'myK3y'],
    ['--hep', '127.0.0.1:0', '--to', 'https://svc.example/x', '--spool', path.join(dir, 'spool'), '--token=', 'Zq3secret'],
  ]) {
    const r = spawnSync(process.execPath, [BIN, 'live', ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/myK3y|Zq3secret/);
  }
});

it('CLI replay --to: --hep-auth-key= myK3y puts no key on stderr', () => {
  const r = spawnSync(process.execPath, [BIN, 'replay', PCAP, '--to', 'hep://127.0.0.1:9', '--hep-auth-key=', 'myK3y'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).not.toContain('myK3y');
});
