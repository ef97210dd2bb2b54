/**
 * Found while fixing round 21's first fixes (the fixer's note), fixed since: a target that is not
 * host:port shows what follows the host's ':' as '…' unless it is a port (src/sources/replay-sender.ts
 * ReplayTargetError).
 * Input: `replay <cap> --to hep://u:my pass@127.0.0.1:9` (a password with a space, the quotes
 *   forgotten: the shell makes `hep://u:my` the target).
 * Was: `replay target "hep://u:my" is not udp://host:port or hep://host:port` — the first word of
 *   the password on stderr (no '@' left in the word for urlForDisplay to cut at).
 * Correct: the target's scheme and host shown, the rest after the ':' only when it is a port
 *   (`hep://h:90600`, a mistyped port, is still shown whole: nothing secret in digits).
 */
import { expect, it } from 'vitest';
import { parseReplayTarget } from '../../../src/sources/replay-sender.js';

const messageOf = (target: string): string => {
  try {
    parseReplayTarget(target);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${target} was taken`);
};

it('a word after the host\'s colon that is no port is not shown', () => {
  expect(messageOf('hep://u:my')).toBe('replay target "hep://u:…" is not udp://host:port or hep://host:port');
  expect(messageOf('hep://u:S3cr3t/x')).not.toContain('S3cr3t');
  expect(messageOf('udp://user:pw')).not.toContain('pw');
});

it('what helps the operator is still shown', () => {
  expect(messageOf('hep://collector.example:90600')).toContain('"hep://collector.example:90600"');
  expect(messageOf('hep://collector.example')).toContain('"hep://collector.example"');
  expect(messageOf('tcp://collector.example:9060')).toContain('"tcp://collector.example:9060"');
  expect(messageOf('hep://collector.example:9060/x/y')).toContain('"hep://collector.example:9060/x/y"');
  expect(messageOf('hep://[::1]:x')).toContain('"hep://[::1]:…"');
});
