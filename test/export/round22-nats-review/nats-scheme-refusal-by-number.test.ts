/**
 * Found by a review of the NATS changes of round 21, fixed since: a scheme is named only for the first
 * entry or a well-known one (src/cli/live-options.ts refuseOtherSchemes).
 * Input: --nats lists whose later piece has an unknown `<letters>://` (a piece of a password split at
 *   its ','), a known one (https://, WSS://), or an unknown one first.
 * Was: every piece's "scheme" named, a password's piece included.
 * Correct: a later unknown one said by its number (exit 2, one line); known ones and the first
 *   entry's named as before.
 */
import { expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';

const refusal = (value: string) =>
  liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value]).then(
    () => undefined,
    (e: unknown) => e as Error,
  );

it.each([
  ['nats://u:S3cr,etpw://x@h:4222', '--nats takes nats:// or tls:// servers (or host:port): entry 2 of 2 has another scheme (not shown: a \',\' in a password is written %2C)'],
  ['nats://a:1,nats://u:p,q://w@b:2', '--nats takes nats:// or tls:// servers (or host:port): entry 3 of 3 has another scheme (not shown: a \',\' in a password is written %2C)'],
  ['nats://a:4222, https://u:S3cret@b', '--nats takes nats:// or tls:// servers (or host:port), not https:// (for TLS write tls://)'],
  ['nats://a:4222,WSS://b', '--nats takes nats:// or tls:// servers (or host:port), not WSS:// (for TLS write tls://)'],
  ['quic://u:S3cret@h:4222', '--nats takes nats:// or tls:// servers (or host:port), not quic:// (for TLS write tls://)'],
])('--nats %j: bad usage, the scheme named only where it cannot be a password\'s piece', async (value, message) => {
  const err = await refusal(value);
  expect(err).toBeInstanceOf(UsageError);
  expect(err!.message).toBe(message);
  expect(err!.message).not.toContain('S3cr');
});
