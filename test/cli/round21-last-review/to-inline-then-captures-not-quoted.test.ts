/**
 * Found by a review of round 21's last fixes, fixed since: replay: the words after --to's value are taken as more of it only when the value (an '@', a query) or one of them holds an '@'; else the stray argument is quoted (src/cli/args.ts mayBeMoreOfValue, parseCommandArgs).
 * Input: `replay --to=udp://127.0.0.1:9 a.pcap b.pcap` — several captures (a glob, `captures/*.pcap`,
 *   expanding to more than one) after a target written with '='.
 * Was (observed, since 7b3f4d1): exit 2, "an unexpected argument follows --to's value, not shown
 *   (quote a value with spaces)": the stray capture is not named and the operator is told to quote
 *   a value that has no space. Before 7b3f4d1: "unexpected argument 'b.pcap'". (Written
 *   `--to udp://… a.pcap b.pcap`, the separate form, it already read so before; the '=' form
 *   joined it with 7b3f4d1.)
 * Correct: replay itself says a word after --to's value is no secret — runReplay names a capture
 *   that follows --to ("a target that parses carries no user:password@"), so `--to=udp://h:9
 *   missing.pcap` names missing.pcap while `--to=udp://h:9 a.pcap missing.pcap` hides it. A target
 *   with no '@', followed by words with no '@', holds no password: quote the argument as before.
 * Fix: src/cli/args.ts secretValueBefore / parseCommandArgs: for --to (a URL option), take the
 *   words after its value as more of it only when the value or one of the positional words after
 *   it carries an '@' (the rest of a `u:my pass phrase@h`: 'pass' is hidden because 'phrase@h'
 *   follows); else quote it (`unexpected argument 'b.pcap'`).
 */
import { expect, it } from 'vitest';
import { parseCommandArgs } from '../../../src/cli/args.js';
import { cli, lineOf, REPLAY_SPEC, SMALL_PCAP } from './helpers.js';

it('parseCommandArgs: --to=udp://… a.pcap b.pcap quotes b.pcap', () => {
  expect(lineOf(() => parseCommandArgs(['--to=udp://127.0.0.1:9', 'a.pcap', 'b.pcap'], REPLAY_SPEC))).toBe("unexpected argument 'b.pcap'");
});

it('CLI: replay --to=udp://… with two captures names the second (exit 2)', () => {
  const r = cli(['replay', '--to=udp://127.0.0.1:9', SMALL_PCAP, `${SMALL_PCAP}.second`]);
  expect(r.status).toBe(2);
  expect(r.stderr.split('\n')[0]).toContain(`unexpected argument '${SMALL_PCAP}.second'`);
});

it.each([
  [['--to=hep://u:my', 'pass', 'phrase@h:9', 'cap.pcap'], 'pass'],
  [['--to', 'hep://u:my', 'pass', 'phrase@h:9'], 'phrase'],
  [['--to', 'hep://u:my@h:9', 'pass', 'cap.pcap'], 'pass'],
])('%j: a word with an @ after --to (or an @ in its value): still not shown', (args, hidden) => {
  const line = lineOf(() => parseCommandArgs([...args], REPLAY_SPEC));
  expect(line).toBe("an unexpected argument follows --to's value, not shown (quote a value with spaces)");
  expect(line).not.toContain(hidden);
});

it('after --hep-auth-key, a stray word with no @ is still not shown', () => {
  expect(lineOf(() => parseCommandArgs(['--to', 'hep://h:9', '--hep-auth-key', 'my', 'pass', 'cap.pcap'], REPLAY_SPEC))).not.toContain('pass');
});
