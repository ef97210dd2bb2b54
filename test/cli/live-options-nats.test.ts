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
