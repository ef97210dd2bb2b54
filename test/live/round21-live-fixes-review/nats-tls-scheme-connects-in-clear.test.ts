/**
 * Found by a review of round 21's live-service fixes, fixed since: a tls:// server (any case) makes
 *   the client require TLS for every server of the list, so one offering none is refused before any
 *   CONNECT (src/export/nats-exporter.ts NatsJetStreamExporter.open).
 * Input: `live --udp 127.0.0.1:0 --nats tls://u:s3cret@127.0.0.1:<p>` (alone, or in a list
 *   `tls://127.0.0.1:<closed>,tls://u:s3cret@127.0.0.1:<p>`), where <p> is a plain-TCP NATS server
 *   (here a stand-in that sends `INFO {}` without tls_required/tls_available and records what it
 *   reads — as a real plain nats-server, or anything in the path that answers on that port, would).
 * Was (observed): the client connects in clear and sends
 *   `CONNECT {…"user":"u","pass":"s3cret"…}` unencrypted; live starts (with a real plain
 *   nats-server: the start line, exporters [file, nats]). nats.js strips any scheme (servers.js
 *   hostPort: `tls://` is just host:port) and encrypts only when the server offers TLS or the
 *   `tls` connection option is set — which NatsJetStreamExporter.open never sets.
 * Correct: `tls://` is the NATS convention for "TLS required" (nats CLI, nats.go: a tls:// URL sets
 *   Secure); an operator who wrote it expects the password and the telemetry encrypted. A server
 *   that offers no TLS must be refused (nats.js with `tls: {}` fails with
 *   ServerOptionNotAvailable), never given the credentials in clear. isServerUrl's doc lists
 *   `tls://host` as an accepted entry, so the list fix made it look supported.
 * Fix: src/export/nats-exporter.ts NatsJetStreamExporter.open: when any server (after
 *   splitUserinfo) has the scheme tls://, pass `tls: {}` (or the CA options) in connect(); a list that
 *   mixes tls:// and nats:// entries is bad usage in src/cli/live-options.ts natsServerList (or all
 *   get TLS). README's NATS bullet says so.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freeTcpPort } from '../../export/nats-server-process.js';
import { REPO } from '../live-helpers.js';

const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
const dir = mkdtempSync(path.join(tmpdir(), 'r21-nats-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each([['one server'], ['a list']])('tls:// (%s) to a server without TLS: no CONNECT with the password in clear', async (shape) => {
  let seen = '';
  const sockets = new Set<Socket>();
  const fake = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.write('INFO {"server_id":"x","version":"2.10.0","proto":1,"host":"127.0.0.1","port":4222,"headers":true,"max_payload":1048576}\r\n');
    s.on('data', (d) => (seen += d.toString('latin1')));
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const port = (fake.address() as { port: number }).port;
  const servers = shape === 'one server' ? `tls://u:s3cret@127.0.0.1:${port}` : `tls://127.0.0.1:${await freeTcpPort()},tls://u:s3cret@127.0.0.1:${port}`;
  const child = spawn(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--out', path.join(dir, shape.replace(' ', '-')), '--quiet', '--nats', servers], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.resume();
  const exited = new Promise((r) => child.once('exit', r));
  try {
    await Promise.race([exited, new Promise((r) => setTimeout(r, 4000))]);
    expect(seen).not.toContain('s3cret');
    expect(seen).not.toMatch(/^CONNECT /m);
  } finally {
    child.kill('SIGKILL');
    await exited;
    for (const s of sockets) s.destroy();
    await new Promise((r) => fake.close(r));
  }
}, 30_000);
