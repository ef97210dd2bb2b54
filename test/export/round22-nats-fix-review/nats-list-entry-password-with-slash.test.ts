/**
 * Found by a review of the NATS fixes (b91494c), fixed since: a --nats entry is judged by its host once its userinfo is taken out, as the exporter takes it (src/cli/live-options.ts isServerUrl).
 * Input: `--nats` with a password holding '/', '?' or '#' written as is — one server, or an entry of a list.
 * Was: exit 2 "not a server URL" (new URL ends the authority at the '/': host `u`, port `ab`), though
 *   NatsJetStreamExporter.open takes the userinfo up to the last '@' and connects with it.
 * Correct: taken, one server as a list's entry; what has no host once the userinfo is out (a piece
 *   `nats://u:pa` of a password split at its ',', `nats://u:p/x@`) stays refused, the value not shown.
 */
import { describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';

const nats = async (value: string) => (await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value])).nats;

describe("a password with '/', '?' or '#' written as is", () => {
  it('one server: taken as written', async () => {
    for (const v of ['nats://u:ab/cd+e=@127.0.0.1:4222', 'tls://u:a?b#c@h:4222', 'u:ab/cd@h:4222', 'nats://tok/en@h'])
      expect(await nats(v), v).toEqual({ servers: v, maxAgeSec: 604800 });
  });
  it('entries of a list: taken, each trimmed', async () => {
    expect((await nats('nats://u:ab/cd+e=@127.0.0.1:4222, tls://u:ab/cd+e=@h'))?.serverList).toEqual(['nats://u:ab/cd+e=@127.0.0.1:4222', 'tls://u:ab/cd+e=@h']);
    expect((await nats('nats://a:4222,nats://u:ab/cd@b:4222'))?.serverList).toEqual(['nats://a:4222', 'nats://u:ab/cd@b:4222']);
  });
  it('the same set written two ways is one set', async () => {
    expect((await nats('nats://u:ab/cd@a,nats://u:ab%2Fcd@b'))?.serverList).toEqual(['nats://u:ab/cd@a', 'nats://u:ab%2Fcd@b']);
    await expect(nats('nats://u:ab/cd@a,nats://u:ab/ce@b')).rejects.toThrow(/entries 1 and 2 carry different credentials/);
  });
  it('still no host once the userinfo is out: refused, nothing shown', async () => {
    for (const [v, which] of [
      ['nats://u:S3cr/x@', 'the value'],
      ['nats://u:S3cr/x@:4222', 'the value'],
      ['nats://u:S3/cr,x@h', 'entry 1 of 2'],
    ] as const) {
      const err = await nats(v).then(() => undefined, (e: Error) => e);
      expect(err?.constructor.name, v).toBe('UsageError');
      expect(err?.message, v).toContain(`${which} is not a server URL`);
      expect(err?.message).not.toContain('S3');
    }
  });
});
