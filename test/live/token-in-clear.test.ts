/**
 * `live --to http://… --token t` (or ws://): the bearer token goes in clear, which seed 001 §3.3
 * rules out (TLS). Allowed — a service beside the relay, a test — but said at start, one
 * `warning` log line naming the URL; over https:// nothing is said.
 *
 * Was: nothing said (reported by the review of the AI-service message form).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, LiveChild } from './live-helpers.js';

let dir = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-live-token-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const clearWarnings = (live: LiveChild) => live.logs.filter((l) => l.event === 'warning' && String(l.message).includes('--token is sent in clear'));

describe('live: a bearer token over a plain URL', () => {
  for (const url of ['http://127.0.0.1:9/ai', 'ws://127.0.0.1:9/ai']) {
    it(`is said at start for ${url.split(':')[0]}://`, async () => {
      const { live } = await LiveChild.start(['--udp', '127.0.0.1:0', '--to', url, '--token', 'secret-token', '--spool', path.join(dir, `spool-${url.split(':')[0]}`)]);
      const warned = clearWarnings(live);
      expect(await live.terminate()).toBe(0);
      expect(warned).toHaveLength(1);
      expect(warned[0]!.message).toBe(`--token is sent in clear to ${url} (seed 001 §3.3 asks for TLS: https:// or wss://)`);
      expect(warned[0]!.level).toBe('warn');
    });
  }

  it('is not said over https://, nor without a token', async () => {
    for (const args of [['--to', 'https://127.0.0.1:9/ai', '--token', 'secret-token'], ['--to', 'http://127.0.0.1:9/ai']]) {
      const { live } = await LiveChild.start(['--udp', '127.0.0.1:0', ...args, '--spool', path.join(dir, `spool-${args.length}`)]);
      expect(await live.terminate()).toBe(0);
      expect(clearWarnings(live)).toEqual([]);
    }
  });
});
