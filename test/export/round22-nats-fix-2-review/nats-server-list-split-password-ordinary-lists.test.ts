/**
 * Found by a review of the NATS fixes (ee4d134), fixed since: an entry with userinfo and no scheme right
 * after an entry with a scheme and no userinfo (digits-only entries between them skipped) is refused by
 * number (src/cli/live-options.ts natsServerList).
 * Input: --nats lists — split passwords (`nats://enf:2024,Summer@h`, `nats://enf:20,24,Summer@h`) and
 *   ordinary lists (`nats://a:4222,nats://b:4222`, `a:4222,b:4222`, `nats://u:p@a:4222,nats://u:p@b:4222`,
 *   `u:p@a:4222,b:4222`, `nats://a:4222,nats://u:p@b:4222`, `NATS://a:1,[::1]:2,nats://u:p@c:3`, as round22-nats-review/checked-fine takes it).
 * Was: the split passwords taken as two (three) servers, a piece of the password shown as a host:port.
 * Correct: the split passwords refused (exit-2 usage, the entry by its number, nothing of the value
 *   shown); the ordinary lists taken as they are.
 */
import { describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';

const nats = async (value: string) => (await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value])).nats;

describe('--nats: a password split at its , after a piece that reads as a port', () => {
  it.each([
    ['nats://enf:2024,Summer@127.0.0.1:4222', 'entry 2 of 2'],
    ['nats://enf:20,24,Summer@127.0.0.1:4222', 'entry 3 of 3'],
    [' tls://enf:2024 , Summer@h', 'entry 2 of 2'],
  ])('%s: refused by number, nothing shown', async (value, which) => {
    const err = await nats(value).then(() => undefined, (e: Error) => e);
    expect(err?.constructor.name).toBe('UsageError');
    expect(err?.message).toContain(`${which} reads as the rest of a password split at its ','`);
    for (const piece of ['enf', '2024', 'Summer', '127.0.0.1']) expect(err?.message).not.toContain(piece);
  });

  // (since round 23 a schemeless entry with credentials right after one without is refused as
  // well — `a:4222,u:p@b:4222` reads as one server whose password holds ',': see
  // round23-lock-nats-review/nats-schemeless-later-credentials-refused — so those lists carry a scheme here)
  it.each(['nats://a:4222,nats://b:4222', 'a:4222,b:4222', 'nats://u:p@a:4222,nats://u:p@b:4222', 'u:p@a:4222,b:4222', 'nats://a:4222,nats://u:p@b:4222', 'a:4222,nats://u:p@b:4222', 'nats://u:p@a:4222,u:p@b:4222', 'NATS://a:1,[::1]:2,nats://u:p@c:3'])(
    'ordinary list %s: taken',
    async (value) => {
      expect((await nats(value))?.servers).toBe(value);
    },
  );
});
