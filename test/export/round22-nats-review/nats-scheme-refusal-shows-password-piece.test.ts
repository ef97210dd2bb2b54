/**
 * Found by a review of the NATS changes of round 21, fixed since: a scheme is named only for the first
 * entry or a well-known one (ws, wss, http, https); another entry's is said by its number
 * (src/cli/live-options.ts refuseOtherSchemes).
 * Input: `--nats 'nats://u:S3cr,etpw://x@h:4222'` — a password with a raw ',' (the README says to
 *   write it %2C; natsServerList exists because operators do not) whose second piece has the form
 *   `<letters>://`.
 * Was (observed): exit 2, `--nats takes nats:// or tls:// servers (or host:port), not etpw:// (for
 *   TLS write tls://)` — `etpw` is a piece of the password, printed to stderr (collected logs).
 *   refuseOtherSchemes (52b625b) splits at ',' and names whatever stands before `://` in each piece,
 *   before natsServerList, whose refusals say an entry's number and never show it for exactly this
 *   reason ("not shown: a ',' in a password is written %2C").
 * Correct: a refusal never echoes what may be a password (the live-options contract for --nats:
 *   entries said by number); a scheme is named only where it is one: the first entry's, or a
 *   well-known one (ws, wss, http, https); otherwise the entry is said by its number, as
 *   natsServerList does.
 * Fix: src/cli/live-options.ts refuseOtherSchemes: name the scheme only for the first piece or for a
 *   known scheme; for a later piece say `entry N of M has a scheme other than nats:// or tls://
 *   (not shown: a ',' in a password is written %2C)`.
 */
import { expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';

it('a later comma piece of a password is not named as a scheme', async () => {
  const err = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', 'nats://u:S3cr,etpw://x@h:4222']).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(Error); // still refused: not a server list it can use
  expect(err!.message).not.toContain('etpw');
  expect(err!.message).not.toContain('S3cr');
});
