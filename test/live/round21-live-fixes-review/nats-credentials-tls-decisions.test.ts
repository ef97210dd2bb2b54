/**
 * Found by a review of round 21's live-service fixes, fixed since: the choices the fixes made, held
 * (src/cli/live-options.ts natsServerList, liveOptionsFromArgs; src/export/nats-exporter.ts
 * NatsJetStreamExporter.open).
 * Input: `live --nats <list>` with entries carrying different credentials (user:password against
 *   user:password, against a token), from the flag or a config file; the same set written twice
 *   (once %-encoded); a list mixing nats:// (a plain-TCP stand-in that records what it reads) and
 *   tls://; tls:// to a real nats-server with TLS (its CA given to Node by NODE_EXTRA_CA_CERTS; named
 *   localhost: nats.js checks an IP address's certificate against `localhost`).
 * Was: the first entry's credentials went to every server; a tls:// entry connected in clear.
 * Correct: different credentials: exit 2, one line naming the entries, none shown (a config file's
 *   named by the file and its key, as its other values are); the same set twice reaches the servers
 *   (exit 1, cannot connect, when none is up); a list with any tls:// entry requires TLS of every
 *   server (as nats.go does) — the plain nats:// one gets no CONNECT; tls:// to a TLS server starts
 *   with the nats exporter, the credentials never shown.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freeTcpPort, NATS_SERVER } from '../../export/nats-server-process.js';
import { REPO } from '../live-helpers.js';

const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
const dir = mkdtempSync(path.join(tmpdir(), 'r21-nats-decisions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const live = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [BIN, 'live', ...args], { encoding: 'utf8', timeout: 30_000, env });

it.each([
  ['user:password against user:password', 'nats://x:pw1@127.0.0.1:1,nats://127.0.0.1:2,nats://y:pw2@127.0.0.1:3', '1 and 3'],
  ['the same user, another password', 'nats://127.0.0.1:1,nats://x:pw1@127.0.0.1:2,nats://x:pw2@127.0.0.1:3', '2 and 3'],
  ['user:password against a token', 'nats://x:pw1@127.0.0.1:1,nats://pw2@127.0.0.1:2', '1 and 2'],
])('different credentials (%s): bad usage, one line, none shown; from a config file, named by its key', (_what, list, which) => {
  const expected = `--nats: entries ${which} carry different credentials; give one user:password@ (the client sends one set to every server)`;
  const r = live(['--udp', '127.0.0.1:0', '--out', path.join(dir, 'never'), '--nats', list]);
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toEqual([`aipref-enforcer live: ${expected}`]);
  const config = path.join(dir, 'creds.yaml');
  writeFileSync(config, `udp: 127.0.0.1:0\nnats: "${list}"\n`);
  const c = live(['--config', config]);
  expect(c.status).toBe(2);
  expect(c.stderr.trim().split('\n')).toEqual([`aipref-enforcer live: ${config}: config key 'nats': ${expected}`]);
  for (const text of [r.stderr, c.stderr]) expect(text).not.toMatch(/pw1|pw2/);
});

it('the same credentials twice (one %-encoded): not refused, the servers tried (none up: cannot connect), none shown', async () => {
  const [a, b] = [await freeTcpPort(), await freeTcpPort()];
  const r = live(['--udp', '127.0.0.1:0', '--out', path.join(dir, 'same'), '--quiet', '--nats', `nats://u:p@ss@127.0.0.1:${a},nats://u:p%40ss@127.0.0.1:${b}`]);
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toMatch(new RegExp(`^aipref-enforcer live: --nats nats://127\\.0\\.0\\.1:${a},nats://127\\.0\\.0\\.1:${b}: cannot connect: `));
  expect(r.stderr).not.toMatch(/p@ss|p%40ss/);
}, 60_000);

it('a list mixing nats:// and tls://: TLS required of every server, the plain one gets no CONNECT', async () => {
  let seen = '';
  const sockets = new Set<Socket>();
  const plain = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.write('INFO {"server_id":"x","version":"2.10.0","proto":1,"host":"127.0.0.1","port":4222,"headers":true,"max_payload":1048576}\r\n');
    s.on('data', (d) => (seen += d.toString('latin1')));
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const port = (plain.address() as { port: number }).port;
  try {
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--out', path.join(dir, 'mixed'), '--quiet', '--nats', `nats://u:s3cret@127.0.0.1:${port},TLS://127.0.0.1:${port}`]);
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', (status) => (clearTimeout(timer), resolve({ status, stderr })));
    });
    expect(seen).not.toMatch(/^CONNECT /m);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`aipref-enforcer live: --nats nats://127.0.0.1:${port},TLS://127.0.0.1:${port}: cannot connect: a server offers no TLS, which tls:// requires (no credentials sent)`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => plain.close(r));
  }
}, 30_000);

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
it.skipIf(!NATS_SERVER || !hasOpenssl)('tls:// to a nats-server with TLS (and credentials): starts, exports to nats, the password never shown', async () => {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  expect(made.status).toBe(0);
  const port = await freeTcpPort();
  const server = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(port), '--tls', '--tlscert', cert, '--tlskey', key, '--user', 'u', '--pass', 's3cret', '-js', '-sd', path.join(dir, 'js')], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = tcpConnect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (up) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const child = spawn(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--out', path.join(dir, 'tls-out'), '--nats', `tls://u:s3cret@localhost:${port}`], { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 100 && !stderr.includes('"event":"start"') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    await exited;
    const start = stderr.split('\n').find((l) => l.includes('"event":"start"'));
    expect(start, stderr).toBeDefined();
    expect(JSON.parse(start!).exporters).toContain('nats');
    expect(stderr).not.toContain('s3cret');
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
}, 60_000);
