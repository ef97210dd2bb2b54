/**
 * Found by a review of the CLI fixes (round 20), fixed since: '@' in a replay --to host is bad usage, and the target is shown without credentials (src/sources/replay-sender.ts parseReplayTarget, ReplayTargetError).
 *
 * Input: `aipref-enforcer replay samples/call-small.pcap --to hep://s3cretKEY@127.0.0.1:9060` (the
 *   HEP auth key written the way --nats takes credentials, `token@`), and
 *   `--to udp://user:s3cretPW@127.0.0.1:9`.
 * Was (observed): the first is accepted as a target whose host is "s3cretKEY@127.0.0.1"
 *   (parseReplayTarget's host class [^:/[\]]+ takes '@'), then `aipref-enforcer replay: getaddrinfo
 *   ENOTFOUND s3cretKEY@127.0.0.1`, exit 1 — the key on stderr, and not as bad usage; the second is
 *   refused with `replay target "udp://user:s3cretPW@127.0.0.1:9" is not udp://host:port or
 *   hep://host:port`, the password echoed (ReplayTargetError shows the target as given).
 * Correct: 0330ccc's contract for live (a URL's user:password@ or token@ is never echoed:
 *   urlForDisplay) holds for replay --to as well (stderr of a CI job); a target with userinfo is
 *   bad usage, exit 2 (the key goes in --hep-auth-key, which the line may say), never a DNS lookup
 *   of "key@host".
 * Fix: src/sources/replay-sender.ts parseReplayTarget: no '@' in the host class; ReplayTargetError
 *   shows urlForDisplay(target) (src/cli/args.ts), or src/cli/replay.ts sendCapture redacts it.
 */
import { expect, it } from 'vitest';
import { cli, SMALL_PCAP } from './helpers.js';

it('hep://key@host: bad usage, the key not shown', () => {
  const r = cli(['replay', SMALL_PCAP, '--to', 'hep://s3cretKEY@127.0.0.1:9060'], { timeout: 60_000 });
  expect(r.stderr).not.toContain('s3cretKEY');
  expect(r.status).toBe(2);
}, 120_000);

it('udp://user:password@host: refused without the password', () => {
  const r = cli(['replay', SMALL_PCAP, '--to', 'udp://user:s3cretPW@127.0.0.1:9'], { timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).not.toContain('s3cretPW');
}, 120_000);
