/**
 * Found by a review of --nats server lists (round 23), fixed since: an entry with userinfo and no scheme
 * right after any entry without userinfo (scheme or none) is refused by its number (src/cli/live-options.ts
 * natsServerList).
 * Input: scheme-less lists whose later entry carries credentials (`enf:2024,Summer@h`, `en,f:pw@h`,
 *   `u:20,24,Summer@h`, `hx:4222,uz:pz@hy:4222`), and lists giving them on the first entry or with a scheme.
 * Was: the scheme-less ones taken as several servers — a piece of a password (or user name) split at
 *   its ',' dialled and shown as a host:port.
 * Correct: refused (UsageError, the entry by its number, nothing of the value shown; the way out said);
 *   credentials on the first entry, on every entry, or on a later entry written with its scheme: taken.
 */
import { describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';

const nats = async (value: string) => (await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value])).nats;

describe('--nats: scheme-less credentials on a later entry', () => {
  it.each([
    ['enf:2024,Summer@127.0.0.1:4222', 'entry 2 of 2'],
    ['en,f:2024@127.0.0.1:4222', 'entry 2 of 2'],
    ['enf:20,24,Summer@127.0.0.1:4222', 'entry 3 of 3'],
    ['enf:2024,Sum:mer@127.0.0.1:4222', 'entry 2 of 2'],
    ['hx:4222,uz:pz@hy:4222', 'entry 2 of 2'],
  ])('%s: refused by number, nothing shown', async (value, which) => {
    const err = await nats(value).then(() => undefined, (e: Error) => e);
    expect(err?.constructor.name).toBe('UsageError');
    expect(err?.message).toContain(`${which} reads as the rest of a password split at its ','`);
    expect(err?.message).toContain('%2C');
    expect(err?.message).toContain('on the first entry, or is written with its scheme');
    for (const piece of ['enf', 'en,', '2024', 'Summer', 'Sum', 'mer@', '127.0.0.1', 'hx', 'uz', 'pz', 'hy']) expect(err?.message).not.toContain(piece);
  });

  it.each(['u:p@a:4222,b:4222', 'u:p@a:4222,u:p@b:4222', 'a:4222,nats://u:p@b:4222', 'a:4222,b:4222', 'nats://u:p@a:4222,nats://u:p@b:4222'])('%s: taken', async (value) => {
    expect((await nats(value))?.servers).toBe(value);
  });
});
