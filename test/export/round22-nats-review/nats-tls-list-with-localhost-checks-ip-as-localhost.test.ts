/**
 * Found by a review of the NATS changes of round 21, fixed since: the certificate check is per
 * connection: a named server's against its name (nats.js's TLS name), an IP server's against the
 * address of the socket being upgraded, whatever else the list names (src/export/nats-exporter.ts
 * dialledServerIdentity, which replaces writtenHostsIdentity).
 * Input: a tls:// list naming `localhost` and a server by IP address:
 *   (a) `--nats tls://u:s3cret@localhost:<nothing listening>,tls://127.0.0.1:<p>`, the server at
 *       127.0.0.1:<p> with a trusted certificate for IP:127.0.0.1 (the right one);
 *   (b) `--nats tls://u:s3cret@localhost:<nothing listening>,tls://<this host's non-loopback IPv4>:<p>`,
 *       the server there with a trusted certificate for DNS:localhost only.
 * Was (observed): (a) refused, exit 1, `cannot connect: CONNECTION_REFUSED` — the server with the
 *   right certificate refused (and the line hides why); (b) live starts and sends CONNECT with the
 *   password to a server at <IP> whose certificate is for 'localhost' — the hole 38c48fc closed,
 *   open again as soon as the list also names localhost. writtenHostsIdentity takes Node's
 *   'localhost' (what Node checks when nats.js gives an IP server no TLS name) as the written
 *   `localhost` whenever `hosts.includes('localhost')`, so every IP entry of that list is checked
 *   against 'localhost', never against its address.
 * Correct: each entry's certificate is checked against the host written for it (38c48fc, README's
 *   NATS bullet: "a tls:// NATS server's certificate must be for the host written, an IP address
 *   included"; nats.go checks each URL's host): (a) starts; (b) refused, one line, no password.
 * Fix: src/export/nats-exporter.ts writtenHostsIdentity: when Node's hostname is 'localhost' and IP
 *   addresses are written, the check cannot tell a written `localhost` from an IP server by the
 *   hostname alone — check against the server being dialled (nats.js's current server, e.g. the
 *   connection's protocol.servers.getCurrentServer().hostname, or the TLS socket's remoteAddress),
 *   or refuse in src/cli/live-options.ts a tls:// list mixing `localhost` with IP addresses
 *   ("write 127.0.0.1 for localhost"), one line, exit 2.
 */
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canRun, freeTcpPort, makeCerts, natsServer, runToStart, tempDir } from './helpers.js';

const { dir, remove } = tempDir('r22-mixlist-');
beforeAll(() => {
  if (canRun) makeCerts(dir, { ip: 'IP:127.0.0.1', localhost: 'DNS:localhost' });
});
afterAll(remove);
const env = () => ({ NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') });
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

it.skipIf(!canRun)('(a) localhost (down) and 127.0.0.1 with a certificate for IP 127.0.0.1: starts', async () => {
  const [dead, port] = [await freeTcpPort(), await freeTcpPort()];
  const server = await natsServer(dir, port, { cert: 'ip' });
  try {
    const run = await runToStart(path.join(dir, 'a'), `tls://u:s3cret@localhost:${dead},tls://127.0.0.1:${port}`, env());
    expect(run.outcome, run.lines.join('\n')).toBe('started');
  } finally {
    await server.stop();
  }
}, 60_000);

it.skipIf(!canRun || external === undefined)('(b) localhost (down) and <non-loopback IP> with a certificate for "localhost" only: refused, one line, no password', async () => {
  const [dead, port] = [await freeTcpPort(), await freeTcpPort()];
  const server = await natsServer(dir, port, { cert: 'localhost', host: '0.0.0.0' });
  try {
    const run = await runToStart(path.join(dir, 'b'), `tls://u:s3cret@localhost:${dead},tls://${external}:${port}`, env());
    expect(run.outcome, run.lines.join('\n')).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(run.secretShown).toBe(false);
  } finally {
    await server.stop();
  }
}, 60_000);
