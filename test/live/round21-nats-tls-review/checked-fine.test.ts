/**
 * Checked fine (commit ba52e1a, src/export/nats-exporter.ts NatsJetStreamExporter.open `tls`
 * required for tls://, its ServerOptionNotAvailable line; src/cli/live.ts connect-failure line),
 * against real nats-servers (TLS with a CA of this test, user u / password s3cret) and plain stand-ins
 * that record what they read:
 * - reconnect, one tls:// server: the TLS server killed mid-run and a plain server put on its port —
 *   the client dials it again and again, never sends CONNECT nor the password (nats.js checkOptions
 *   refuses a server offering no TLS on every dial, reconnects included, as `tls: {}` stays set);
 * - reconnect, a tls:// list: both TLS servers gone, plain ones on both ports — the same;
 * - nats:// to a nats-server that requires TLS: the client upgrades (the server takes no CONNECT
 *   before TLS, so the credentials it accepted went encrypted) and live starts with the nats exporter;
 *   the same with a certificate Node does not trust: exit 1, one line naming the server, no password;
 * - tls:// (a name) with a certificate for another name: exit 1, one line, the server named
 *   (tls://localhost:<p>), Node's reason, no password;
 * - tls:// to a real plain nats-server: exit 1, one line `the server offers no TLS, which tls://
 *   requires (no credentials sent)`;
 * - `opts.connection?.tls || {}`: a caller's own tls (a CA given as `ca`, no NODE_EXTRA_CA_CERTS)
 *   is what the client uses; `tls: null` from a caller does not turn off what tls:// requires.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { canRun, freeTcpPort, makeCerts, natsServer, plainLines, plainStandIn, sleep, startLive, tempDir } from './tls-helpers.js';

const { dir, remove } = tempDir('ah-tls-fine-');
beforeAll(() => {
  if (canRun) makeCerts(dir, { localhost: 'DNS:localhost', other: 'DNS:other.example' });
});
afterAll(remove);
const trusted = () => ({ NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') });

it.skipIf(!canRun)('reconnect after a restart as a plain server (one tls:// server): dialed, no CONNECT, no password', async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'localhost' });
  const live = startLive(path.join(dir, 'restart'), ['--nats', `tls://u:s3cret@localhost:${port}`], trusted());
  let plain: Awaited<ReturnType<typeof plainStandIn>> | undefined;
  try {
    expect(await live.started(), live.stderr()).toBe(true);
    await server.stop();
    plain = await plainStandIn(port);
    for (let i = 0; i < 100 && plain.connections() < 2; i++) await sleep(100);
    expect(plain.connections()).toBeGreaterThanOrEqual(2);
    expect(plain.seen()).not.toMatch(/CONNECT|s3cret/);
    expect(live.stderr()).not.toContain('s3cret');
  } finally {
    await live.stop();
    await plain?.close();
    await server.stop();
  }
}, 60_000);

it.skipIf(!canRun)('reconnect in a tls:// list whose servers went away, plain ones in their place: no CONNECT, no password', async () => {
  const [p1, p2] = [await freeTcpPort(), await freeTcpPort()];
  const servers = [await natsServer(dir, p1, { cert: 'localhost' }), await natsServer(dir, p2, { cert: 'localhost' })];
  const live = startLive(path.join(dir, 'list'), ['--nats', `tls://u:s3cret@localhost:${p1},tls://localhost:${p2}`], trusted());
  const plains: Awaited<ReturnType<typeof plainStandIn>>[] = [];
  try {
    expect(await live.started(), live.stderr()).toBe(true);
    for (const s of servers) await s.stop();
    plains.push(await plainStandIn(p1), await plainStandIn(p2));
    for (let i = 0; i < 100 && plains.some((p) => p.connections() < 1); i++) await sleep(100);
    for (const p of plains) {
      expect(p.connections()).toBeGreaterThanOrEqual(1);
      expect(p.seen()).not.toMatch(/CONNECT|s3cret/);
    }
  } finally {
    // (stop may hang here: nats-list-away-stop-never-exits.test.ts; startLive's stop SIGKILLs after 10 s)
    await live.stop();
    for (const p of plains) await p.close();
    for (const s of servers) await s.stop();
  }
}, 60_000);

it.skipIf(!canRun)('nats:// to a nats-server requiring TLS: upgraded, starts; with an untrusted certificate: one line, no password', async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'localhost' });
  try {
    const ok = startLive(path.join(dir, 'upgrade'), ['--nats', `nats://u:s3cret@localhost:${port}`], trusted());
    try {
      expect(await ok.started(), ok.stderr()).toBe(true);
      const start = JSON.parse(ok.stderr().split('\n').find((l) => l.includes('"event":"start"'))!);
      expect(start.exporters).toContain('nats');
    } finally {
      await ok.stop();
    }
    const untrusted = startLive(path.join(dir, 'untrusted'), ['--nats', `nats://u:s3cret@localhost:${port}`]);
    expect(await untrusted.exited).toBe(1);
    const lines = plainLines(untrusted.stderr());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^aipref-enforcer live: --nats nats://localhost:${port}: cannot connect: .*certificate`));
    expect(untrusted.stderr()).not.toContain('s3cret');
  } finally {
    await server.stop();
  }
}, 60_000);

it.skipIf(!canRun)('tls://localhost with a certificate for another name: exit 1, one line naming the server, no password', async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'other' });
  try {
    const live = startLive(path.join(dir, 'other'), ['--nats', `tls://u:s3cret@localhost:${port}`], trusted());
    expect(await live.exited).toBe(1);
    const lines = plainLines(live.stderr());
    expect(lines).toEqual([`aipref-enforcer live: --nats tls://localhost:${port}: cannot connect: Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:other.example`]);
    expect(live.stderr()).not.toContain('s3cret');
  } finally {
    await server.stop();
  }
}, 60_000);

it.skipIf(!canRun)('tls:// to a real plain nats-server: exit 1, the one line of the fix', async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port);
  try {
    const live = startLive(path.join(dir, 'plain'), ['--nats', `tls://u:s3cret@127.0.0.1:${port}`]);
    expect(await live.exited).toBe(1);
    expect(plainLines(live.stderr())).toEqual([`aipref-enforcer live: --nats tls://127.0.0.1:${port}: cannot connect: the server offers no TLS, which tls:// requires (no credentials sent)`]);
  } finally {
    await server.stop();
  }
}, 60_000);

it.skipIf(!canRun)("a caller's own tls option wins (its CA used); tls: null does not undo tls://", async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'localhost' });
  try {
    // (this CA is not one Node trusts here: without the caller's `ca` the certificate is refused)
    await expect(NatsJetStreamExporter.open({ servers: `tls://u:s3cret@localhost:${port}`, maxRetentionSec: 60 })).rejects.toThrow(/certificate/);
    const exporter = await NatsJetStreamExporter.open({ servers: `tls://u:s3cret@localhost:${port}`, maxRetentionSec: 60, connection: { tls: { ca: readFileSync(path.join(dir, 'ca.pem'), 'utf8') } } });
    await exporter.close(1000);
  } finally {
    await server.stop();
  }
  const plain = await plainStandIn();
  try {
    await expect(NatsJetStreamExporter.open({ servers: `tls://u:s3cret@127.0.0.1:${plain.port}`, maxRetentionSec: 60, connection: { tls: null } })).rejects.toThrow('offers no TLS');
    expect(plain.seen()).not.toMatch(/CONNECT|s3cret/);
  } finally {
    await plain.close();
  }
}, 60_000);
