/**
 * Found by a review of NATS JetStream export, fixed since: a --nats URL's user:pass@ (or token@) goes into the connection options and the server is named without it (src/export/nats-exporter.ts open/splitUserinfo, src/cli/live.ts startLive).
 */
// Input: `aipref-enforcer live --udp 127.0.0.1:0 --nats nats://alice:s3cret@127.0.0.1:<port>` against a
//   real nats-server started with `--user alice --pass s3cret` (JetStream on). `live` has no other
//   NATS credential or TLS option (--nats, --nats-max-age, --nats-max-pending only; src/cli/usage.ts).
// Was: exits 1 at once: "aipref-enforcer live: --nats nats://alice:s3cret@127.0.0.1:<port>: cannot
//   connect: 'Authorization Violation'". The nats client (nats.js 2.29) ignores a URL's user:password,
//   so no NATS server that asks for credentials can be used at all; and the one stderr line prints the
//   password in clear (logs are collected: journald, container logs).
// Correct: SPEC §7 NATS JetStream output for shared consumers — a production NATS asks for
//   credentials (user/password, token, .creds, TLS). The URL's user:password (or a --nats-creds/
//   --nats-user/--nats-token/--nats-tls-ca option) must be passed to the connection; and no
//   secret is written to stderr (the --token rule of seed 001 §3.3 / README: a credential never
//   reaches a log).
// Fix: src/cli/live.ts startLive (NatsJetStreamExporter.open call): parse opts.nats.servers with URL,
//   pass `connection: { user, pass }` (or `token` when only a user part is given) and the URL without
//   userinfo as `servers`; name the server without its userinfo in the "cannot connect" error.
//   Optionally add credential/TLS flags in src/cli/live-options.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATS_SERVER, freeTcpPort } from '../nats-server-process.js';
import { wait } from './helpers.js';

const BIN = join(import.meta.dirname, '../../../bin/aipref-enforcer.js');

let store = '';
let port = 0;
let server: ChildProcess | undefined;
beforeAll(async () => {
  if (!NATS_SERVER) return;
  store = await mkdtemp(join(tmpdir(), 'aipref-nats-review-auth-'));
  port = await freeTcpPort();
  server = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store, '--user', 'alice', '--pass', 's3cret'], { stdio: 'ignore' });
  await wait(700);
});
afterAll(async () => {
  server?.kill('SIGTERM');
  await wait(200);
  if (store) await rm(store, { recursive: true, force: true });
});

/** Runs `live` for up to `ms`: its exit code (null: still running, then stopped), stderr. */
async function runLive(url: string, ms: number): Promise<{ code: number | null; started: boolean; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--nats', url, '--workers', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const code = await Promise.race([exited, wait(ms).then(() => null)]);
  if (code === null) {
    child.kill('SIGTERM');
    await Promise.race([exited, wait(10_000)]);
    child.kill('SIGKILL');
  }
  return { code, started: /"event":"start"/.test(stderr), stderr };
}

describe.skipIf(!NATS_SERVER)('live --nats with a NATS server that asks for credentials', () => {
  it('connects with the user and password given in the --nats URL', async () => {
    const r = await runLive(`nats://alice:s3cret@127.0.0.1:${port}`, 4000);
    expect({ code: r.code, started: r.started }, r.stderr.split('\n')[0]).toEqual({ code: null, started: true });
  }, 30_000);

  it('never prints the password to stderr', async () => {
    const r = await runLive(`nats://alice:wrong-s3cret@127.0.0.1:${port}`, 4000);
    expect(r.stderr).not.toContain('wrong-s3cret');
  }, 30_000);
});
