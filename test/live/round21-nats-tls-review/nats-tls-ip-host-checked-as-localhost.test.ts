/**
 * Found by a review of the NATS TLS fix (round 21), fixed since: with tls:// the certificate is checked against the addresses written when nats.js leaves Node to check 'localhost' (src/export/nats-exporter.ts writtenHostsIdentity).
 *
 * Input: `live --nats tls://u:s3cret@<IP>:<p>` (an IP address, not a name), the server a nats-server
 *   with TLS whose certificate is signed by a CA Node trusts (NODE_EXTRA_CA_CERTS):
 *   (a) a certificate for that address (subjectAltName IP:127.0.0.1), written tls://127.0.0.1:<p>;
 *   (b) a certificate for another name only (DNS:localhost), written tls://<this host's non-loopback
 *       address, e.g. 192.0.2.2>:<p>.
 * Was (observed): (a) refused, exit 1: `--nats tls://127.0.0.1:<p>: cannot connect: Hostname/IP does
 *   not match certificate's altnames: Host: localhost. is not cert's CN: ip` — the right certificate
 *   refused, and the line names a host the operator never wrote; (b) accepted: live starts with
 *   exporters [file, nats] and sends CONNECT with the password to a server whose certificate is for
 *   `localhost`, not for 192.0.2.2. nats.js gives an IP-address server no TLS name (servers.js
 *   tlsName ''), its startTLS calls tls.connect({ socket, servername: '' }) with no host, and Node
 *   then checks the certificate against 'localhost' — for every IP address.
 * Correct: tls:// means TLS required *and* the server's identity checked against what was written
 *   (RFC 6125 / RFC 2818 §3.1: an IP address in the URI must match an iPAddress subjectAltName; nats.go
 *   and the nats CLI check the URL's host). (a) starts; (b) is refused with one line naming the
 *   server, no credentials, and no CONNECT sent. With the commit's `tls: {}` every tls:// entry written
 *   as an IP address is accepted by any trusted certificate for "localhost" (a private CA's, a
 *   developer's), and refused with the certificate it should have.
 * Fix: src/export/nats-exporter.ts NatsJetStreamExporter.open, where `tls` is set for tlsRequired:
 *   when an entry's host is an IP literal give the client the host to check — `tls: { host: <ip>,
 *   ...opts.connection?.tls }` for one server (nats.js extends tls.connect's options with `tls`;
 *   Node checks `servername || host`), or a `checkServerIdentity` bound to the written hosts for a
 *   list (tls.checkServerIdentity(<entry's host>, cert)); until then, refuse tls:// with an IP
 *   address in src/cli/live-options.ts natsServerList with a line saying to write the certificate's
 *   name. The caller's own tls option still wins.
 */
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canRun, freeTcpPort, makeCerts, natsServer, plainLines, startLive, tempDir } from './tls-helpers.js';

const { dir, remove } = tempDir('ah-tls-ip-');
beforeAll(() => {
  if (canRun) makeCerts(dir, { ip: 'IP:127.0.0.1', localhost: 'DNS:localhost' });
});
afterAll(remove);
const env = () => ({ NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') });

it.skipIf(!canRun)('(a) tls://127.0.0.1 with a certificate for IP 127.0.0.1: starts (not checked against "localhost")', async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'ip' });
  const live = startLive(path.join(dir, 'a'), ['--nats', `tls://u:s3cret@127.0.0.1:${port}`], env());
  try {
    const started = await live.started();
    expect(live.stderr()).not.toContain('Host: localhost');
    expect(started, live.stderr()).toBe(true);
  } finally {
    await live.stop();
    await server.stop();
  }
}, 60_000);

const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

it.skipIf(!canRun || external === undefined)('(b) tls://<non-loopback IP> with a certificate for "localhost" only: refused, one line, no credentials', async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'localhost', host: '0.0.0.0' });
  const live = startLive(path.join(dir, 'b'), ['--nats', `tls://u:s3cret@${external}:${port}`], env());
  try {
    const code = await Promise.race([live.exited, live.started().then((s) => (s ? 'started' : 'no start'))]);
    expect(code, live.stderr()).toBe(1);
    const lines = plainLines(live.stderr());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^aipref-enforcer live: --nats tls://${external!.replace(/\./g, '\\.')}:${port}: cannot connect: `));
    expect(live.stderr()).not.toContain('s3cret');
  } finally {
    await live.stop();
    await server.stop();
  }
}, 60_000);
