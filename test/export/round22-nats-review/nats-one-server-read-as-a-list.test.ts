/**
 * Found by a review of the NATS changes of round 21, fixed since: one --nats server is split, trimmed
 * and checked as a list of one (src/cli/live-options.ts optionsFrom, natsServerList), and the
 * exporter trims each server before reading its scheme and userinfo (src/export/nats-exporter.ts
 * NatsJetStreamExporter.open).
 * Input: `--nats ' tls://u:s3cret@h:4222 '`, `--nats tls://h:99999`, `--nats '   '`; the exporter
 *   opened with `servers: ' tls://u:s3cret@127.0.0.1:<p>'` to a stand-in offering no TLS.
 * Was: one value went to the exporter as written (TLS not required, ` tls://u:s3cret` taken as the
 *   userinfo, the password sent in clear); a single bad URL failed at connect (exit 1) where a list's
 *   entry is bad usage (exit 2).
 * Correct: the server list is the trimmed value; a bad single value is bad usage, not shown; the
 *   exporter refuses the TLS-less server before sending anything.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UsageError } from '../../../src/cli/usage.js';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { BIN, plainStandIn } from './helpers.js';

const nats = async (value: string) => (await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value])).nats;
const refusal = (value: string) =>
  liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value]).then(
    () => undefined,
    (e: unknown) => e as Error,
  );

it('one server written with blanks: the list is that server, trimmed', async () => {
  expect(await nats(' tls://u:s3cret@h:4222 ')).toEqual({ servers: ' tls://u:s3cret@h:4222 ', serverList: ['tls://u:s3cret@h:4222'], maxAgeSec: 7 * 86400 });
  // written without blanks: as before, no list beside it
  expect(await nats('tls://u:s3cret@h:4222')).toEqual({ servers: 'tls://u:s3cret@h:4222', maxAgeSec: 7 * 86400 });
});

it.each([
  ['tls://u:s3cret@h:99999', 'the value is not a server URL (not shown: it may carry a password)'],
  ['   ', 'the value is blank'],
])('one bad server %j: bad usage, one line, not shown', async (value, what) => {
  const err = await refusal(value);
  expect(err).toBeInstanceOf(UsageError);
  expect(err!.message).toBe(`--nats takes a NATS server (e.g. nats://127.0.0.1:4222), or several separated by commas: ${what}`);
  expect(err!.message).not.toContain('s3cret');
});

it('tls://h:99999 through the CLI: exit 2 (as a list entry is), no password', () => {
  const r = spawnSync(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--nats', 'tls://u:s3cret@h:99999'], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status).toBe(2);
  expect(r.stderr.split('\n')[0]).toBe('aipref-enforcer live: --nats takes a NATS server (e.g. nats://127.0.0.1:4222), or several separated by commas: the value is not a server URL (not shown: it may carry a password)');
  expect(r.stderr).not.toContain('s3cret');
});

it('the exporter trims a server: " tls://…" to a server offering no TLS is refused, nothing sent', async () => {
  const standIn = await plainStandIn();
  try {
    const err = await NatsJetStreamExporter.open({ servers: ` tls://u:s3cret@127.0.0.1:${standIn.port}`, maxRetentionSec: 60, connection: { maxReconnectAttempts: 1 } }).then(
      async (e) => {
        await e.close(0);
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe('the server offers no TLS, which tls:// requires (no credentials sent)');
    expect(standIn.seen()).not.toContain('CONNECT');
  } finally {
    await standIn.close();
  }
});
