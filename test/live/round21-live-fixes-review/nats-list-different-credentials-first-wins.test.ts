/**
 * Found by a review of round 21's live-service fixes, fixed since: entries with different credentials
 *   are bad usage at start, exit 2, one line, none shown (src/cli/live-options.ts natsServerList).
 * Input: a nats-server (JetStream) on 127.0.0.1:<up> that takes user `y` password `pw2`, and
 *   `live --udp 127.0.0.1:0 --nats nats://x:pw1@127.0.0.1:<closed>,nats://y:pw2@127.0.0.1:<up>` —
 *   two servers, each entry with the credentials right for its own server (e.g. two clusters
 *   or accounts, or a stale entry kept beside the new one).
 * Was (observed): exit 1, `aipref-enforcer live: --nats nats://127.0.0.1:<up>: cannot connect:
 *   'Authorization Violation'`. NatsJetStreamExporter.open takes the FIRST entry's credentials
 *   (`servers.find((s) => s.credentials !== undefined)`) for every server, silently: the second
 *   entry's y:pw2 is thrown away and x:pw1 sent to <up>. Nothing says that one set was dropped,
 *   and the line blames the server the right credentials were written for.
 * Correct: either each entry's credentials are used for its server, or — nats.js holding one
 *   user/pass/token per connection — entries with DIFFERENT credentials are bad usage at start
 *   (exit 2, one line saying the entries carry different credentials, none shown), as natsServerList
 *   already refuses an entry that is no URL. README's "a user:password@ in any of them is taken as the
 *   credentials" does not say which of two; a service that cannot honour what it was given says so
 *   rather than sending one server another's password. (The same credentials in every entry, or in
 *   one only, stay fine.)
 * Fix: src/cli/live-options.ts natsServerList: compare each entry's userinfo (as splitUserinfo in
 *   src/export/nats-exporter.ts takes it, decoded) and throw a UsageError `--nats …: entries N and M
 *   carry different credentials (not shown): nats.js uses one set for every server` (or open one
 *   connection per set); README's NATS bullet says which.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freeTcpPort, NATS_SERVER } from '../../export/nats-server-process.js';
import { REPO } from '../live-helpers.js';

const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
const dir = mkdtempSync(path.join(tmpdir(), 'r21-nats-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

it.skipIf(!NATS_SERVER)('two entries, different credentials: not the first set sent to every server', async () => {
  const up = await freeTcpPort();
  const closed = await freeTcpPort();
  const server = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(up), '--user', 'y', '--pass', 'pw2', '-js', '-sd', path.join(dir, 'js')], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !(await accepts(up)); i++) await new Promise((r) => setTimeout(r, 50));
    const r = spawnSync(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--quiet', '--nats', `nats://x:pw1@127.0.0.1:${closed},nats://y:pw2@127.0.0.1:${up}`], {
      encoding: 'utf8',
      timeout: 8_000,
      killSignal: 'SIGTERM',
    });
    // started (each server got its own credentials: killed by the timeout after the start line) or refused as bad usage
    const started = r.stderr.includes('"event":"start"');
    if (!started) {
      expect(r.stderr).not.toContain('Authorization Violation');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/credentials/);
    }
    expect(r.stderr).not.toMatch(/pw1|pw2/);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
}, 60_000);
