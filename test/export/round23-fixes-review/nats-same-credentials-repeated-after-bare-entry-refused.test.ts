/**
 * Input: --nats lists giving the credentials on the first entry and the very same set again on a
 *   later scheme-less entry, with an entry without them in between — `u:pw@a:4222,b:4222,u:pw@c:4222`,
 *   `tok@a:4222,b:4222,tok@c:4222` (an operator adding credentials to some entries of a cluster list:
 *   the README says "the same set repeated, or in one entry only, is fine").
 * Was (observed): exit-2 UsageError "entry 3 of 3 reads as the rest of a password split at its ','
 *   (… a server of its own gets the credentials on the first entry, or is written with its scheme)"
 *   — 93aad08's rule refuses any scheme-less entry with userinfo right after one without, though
 *   this list already gives them on the first entry, the way out the message itself names. The same
 *   set repeated next to each other (`u:pw@a,u:pw@b,c`) or on the first entry only (`u:pw@a,b,c`)
 *   is taken: the list is refused only for where the operator put an entry without them.
 * Correct: taken, as the README promises (the client gets one set, the same, either way). No split
 *   password is taken for a list here: for `u:X@a,b,u:X@c` to be one URL split at its ',' its password
 *   would be `X@a,b,u:X` — itself holding the user name and the password again.
 * Fix: src/cli/live-options.ts natsServerList: do not refuse an entry (userinfo, no scheme, after a
 *   bare one) whose credentials — decoded, as the later check compares them (splitUserinfo) — equal a
 *   set carried by an earlier entry; refuse as now where no earlier entry carries that same set.
 */
import { describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';

const nats = async (value: string) => (await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value])).nats;

describe('--nats: the first entry\'s credentials repeated on a later scheme-less entry', () => {
  it.each(['u:pw@a:4222,b:4222,u:pw@c:4222', 'tok@a:4222,b:4222,tok@c:4222', 'u:p%40w@a:4222,b:4222,u:p@w@c:4222'])('%s: taken', async (value) => {
    const got = await nats(value).then(
      (n) => n?.serverList,
      (e: Error) => `${e.constructor.name}: ${e.message}`,
    );
    expect(got).toEqual(value.split(','));
  });

  it('controls, taken today: the same set adjacent, or on the first entry only', async () => {
    for (const value of ['u:pw@a:4222,u:pw@b:4222,c:4222', 'u:pw@a:4222,b:4222,c:4222']) expect((await nats(value))?.serverList).toEqual(value.split(','));
  });
});
