/**
 * Found by a review of round 21's first fixes, fixed since: parseCommandArgs gives `captureAfter`, the secret option whose value the capture directly follows; replay (statNamedCapture) then says a failure to open it without its name — except after --to's value, which parseReplayTarget has checked carries no user:password@ (src/cli/args.ts parseCommandArgs, src/cli/replay.ts statNamedCapture, runReplay).
 * Input: `replay --to hep://127.0.0.1:9 --hep-auth-key myK3y Pa55w0rd` — a two-word key not
 *   quoted, the capture forgotten (or meant to come from a pipe: `cat x.pcap | replay --to … --hep-auth-key my pass`).
 * Was (observed): exit 1, `aipref-enforcer replay: Pa55w0rd: at byte 0: cannot open: ENOENT: no
 *   such file or directory` — the second word of the key, taken for the capture, on stderr.
 *   2b69ea0 hides words after a secret's value only when there are two or more of them (an
 *   "unexpected argument"); with exactly one, the word becomes the capture and is named whole by
 *   statCapture's error.
 * Correct: no word of the key on stderr (SECRET_OPTIONS in src/cli/args.ts: a line names a secret
 *   option, never its value; 2b69ea0: the words right after a secret's value are likely more of
 *   it). A capture that directly follows a secret option's separate value and cannot be opened is
 *   said without its name, e.g. "the capture file (the argument after --hep-auth-key's value)
 *   cannot be opened: ENOENT (quote a value with spaces)"; an existing capture there
 *   (`--hep-auth-key K cap.pcap`) is used as now.
 * Fix: src/cli/args.ts parseCommandArgs: note when the capture is the positional directly after a
 *   secret option's separate value (secretValueBefore(args, options, 0)), e.g. a `captureAfter`
 *   field; src/cli/replay.ts (sendCapture and the enforcing path, before/around statCapture):
 *   with it set, an error opening the capture is rethrown without the capture's text.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');

it('replay --to … --hep-auth-key myK3y Pa55w0rd (no capture): the word taken for the capture is not shown', () => {
  const r = spawnSync(process.execPath, [BIN, 'replay', '--to', 'hep://127.0.0.1:9', '--hep-auth-key', 'myK3y', 'Pa55w0rd'], { encoding: 'utf8', timeout: 60_000, input: '' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).not.toMatch(/myK3y|Pa55w0rd/);
});

it('the line says which argument could not be opened; an existing capture there is used; after --to it is named', () => {
  const PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'replay', ...args], { encoding: 'utf8', timeout: 60_000, input: '' });
  const r = run(['--to', 'hep://127.0.0.1:9', '--hep-auth-key=myK3y', 'Pa55w0rd']);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe("aipref-enforcer replay: the capture (the argument after --hep-auth-key's value, not shown) cannot be opened: ENOENT: no such file or directory (quote a value with spaces)\n");
  // `--hep-auth-key= Pa55w0rd`: the capture is the key, a space after the '=' (usage)
  const spaced = run(['--to', 'hep://127.0.0.1:9', '--hep-auth-key=', 'Pa55w0rd']);
  expect(spaced.status).toBe(2);
  expect(spaced.stderr).toContain('--hep-auth-key= is followed by a separate argument, not shown (write --hep-auth-key=<value> with no space)');
  expect(spaced.stderr).not.toContain('Pa55w0rd');
  // as now: a capture that opens is used
  const ok = run(['--to', 'hep://127.0.0.1:9', '--speed', '0', '--hep-auth-key', 'myK3y', PCAP]);
  expect(ok.status, ok.stderr).toBe(0);
  expect(JSON.parse(ok.stdout).sent).toBeGreaterThan(0);
  // after --to's value (a target with no user:password@, checked first), a missing capture is named
  const typo = run(['--to', 'hep://127.0.0.1:9', 'no-such-capture.pcap']);
  expect(typo.status).toBe(1);
  expect(typo.stderr).toContain('no-such-capture.pcap: at byte 0: cannot open: ENOENT');
});
