import { describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../src/cli/live-options.js';

describe('live --nats options', () => {
  it('--nats-max-pending bounds what waits for the stream; --nats-max-age its max_age', async () => {
    expect((await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', 'nats://127.0.0.1:4222'])).nats).toEqual({ servers: 'nats://127.0.0.1:4222', maxAgeSec: 7 * 86400 });
    expect((await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', 'nats://n:4222', '--nats-max-age', '1h', '--nats-max-pending', '5000'])).nats).toEqual({
      servers: 'nats://n:4222',
      maxAgeSec: 3600,
      maxPending: 5000,
    });
    await expect(liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', 'nats://n:4222', '--nats-max-pending', '0'])).rejects.toThrow(/--nats-max-pending takes a whole number of at least 1, not 0/);
    await expect(liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', 'nats://n:4222', '--nats-max-pending', 'lots'])).rejects.toThrow(/--nats-max-pending takes a whole number, not 'lots'/);
  });
});

describe('--explain without files', () => {
  it('is bad usage with --to or --nats and no --out: decisions go only to the files of --out', async () => {
    await expect(liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', 'nats://n:4222', '--explain'])).rejects.toThrow(/^--explain applies to the files of --out/);
    await expect(liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--to', 'https://ai.example/x', '--spool', '/tmp/s', '--explain'])).rejects.toThrow(/^--explain applies to the files of --out/);
    expect((await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', 'nats://n:4222', '--out', '/tmp/o', '--explain'])).explain).toBe(true);
    expect((await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--explain'])).explain).toBe(true);
  });
});

describe('--nats schemes', () => {
  it('takes nats://, tls:// (any case) and host:port; any other scheme is bad usage naming it (wss:// or https:// would connect in clear)', async () => {
    for (const ok of ['nats://n:4222', 'TLS://n:4222', 'n:4222', 'nats://a:4222,tls://b:4222']) {
      expect((await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', ok])).nats?.servers).toBe(ok);
    }
    for (const [value, scheme] of [['wss://u:S3cret@n:4222', 'wss'], ['https://n', 'https'], ['nats://a:4222,ws://b:4222', 'ws']] as const) {
      const err = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value]).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(new RegExp(`^--nats takes nats:// or tls:// servers \\(or host:port\\), not ${scheme}://`));
      expect(err?.message).not.toContain('S3cret');
    }
  });
});
