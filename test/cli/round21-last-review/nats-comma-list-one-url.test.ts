/**
 * Found by a review of round 21's last fixes, fixed since: --nats is split on ',' into the list
 * of servers for the client (`nats.serverList`), each entry trimmed, an empty one or one that is
 * no URL refused as bad usage by its number (src/cli/live-options.ts optionsFrom, natsServerList),
 * and live hands that list to NatsJetStreamExporter.open (src/cli/live.ts startLive).
 * Input: `live --udp 127.0.0.1:0 --nats nats://127.0.0.1:<up>,nats://127.0.0.1:<closed>` — the NATS
 *   convention for several servers, a comma-separated list (nats CLI `--server`, NATS_URL).
 * Was: the whole text handed to nats.js as one URL, which connects to the last host:port only:
 *   `up,closed` refused with "cannot connect: CONNECTION_REFUSED" (exit 1), `closed,up` started.
 * Correct: each server of the list is one the client may connect to: either order starts and
 *   delivers to the real server; `--nats 'nats://a:4222, nats://b:4222'` is two servers;
 *   `--nats nats://a:4222,` (an empty entry) is bad usage, said in one line.
 */
import { connect } from 'nats';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { freeTcpPort, NATS_SERVER, NatsServerProcess } from '../../export/nats-server-process.js';
import { sendSrs } from '../../live-delivery/live-fixtures.js';
import { LiveChild } from '../../live/live-helpers.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'r21-last-nats-list-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = path.join(dir, 'policy.json');
writeFileSync(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-d' }));

it('liveOptionsFromArgs: a comma list is the servers, trimmed; one server stays as given', async () => {
  const list = (await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', 'nats://a:4222, nats://u:pw@b:4222,c:4222'])).nats;
  expect(list?.serverList).toEqual(['nats://a:4222', 'nats://u:pw@b:4222', 'c:4222']);
  expect((await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', 'nats://a:4222'])).nats).toEqual({ servers: 'nats://a:4222', maxAgeSec: 7 * 86400 });
});

it.each([
  ['nats://a:4222,', 'entry 2 of 2 is empty'],
  ['nats://a:4222,,nats://b:4222', 'entry 2 of 3 is empty'],
  [' , ', 'entry 1 of 2 is empty'],
  // a ',' in a password splits it: the piece before is no URL (port 'pa'), and not shown
  ['nats://u:pa,ss@127.0.0.1:4222', 'entry 1 of 2 is not a server URL'],
])('--nats %j: bad usage (exit 2, one line, no entry shown)', (list, what) => {
  const r = cli(['live', '--udp', '127.0.0.1:0', '--nats', list]);
  expect(r.status).toBe(2);
  const line = r.stderr.split('\n')[0]!;
  expect(line).toMatch(/^aipref-enforcer live: --nats takes NATS servers separated by commas/);
  expect(line).toContain(what);
  expect(line).not.toMatch(/pa\b|ss@/);
});

describe.skipIf(!NATS_SERVER)('a real nats-server and a closed port in the list', () => {
  it.each([['up first'], ['closed first']])('%s: live starts and the lines reach the stream', async (order) => {
    const server = await NatsServerProcess.start(mkdtempSync(path.join(dir, 'js-')));
    try {
      const closed = `nats://127.0.0.1:${await freeTcpPort()}`;
      const list = order === 'up first' ? `${server.url},${closed}` : `${closed},${server.url}`;
      const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', policy, '--nats', list, '--workers', '0', '--batch-ms', '5', '--quiet']);
      try {
        expect(live.logs.find((l) => l.event === 'start')?.exporters).toContain('nats');
        await sendSrs(addresses.udp!.port, 3);
        const nc = await connect({ servers: server.url });
        try {
          const jsm = await nc.jetstreamManager();
          let messages = 0;
          for (let i = 0; i < 100 && messages === 0; i++) {
            messages = await jsm.streams.info('AIPREF').then((s) => s.state.messages, () => 0);
            if (messages === 0) await new Promise((r) => setTimeout(r, 100));
          }
          expect(messages).toBeGreaterThan(0);
        } finally {
          await nc.close();
        }
      } finally {
        await live.terminate();
      }
    } finally {
      await server.stop();
    }
  }, 90_000);
});
