/**
 * Found by a review of the NATS changes of round 21, fixed since: a server with no TLS name (written
 * as an IP address) has its certificate checked against the address actually dialled — as nats.js
 * read the host, `127.1` being 127.0.0.1 — not against written hosts (src/export/nats-exporter.ts
 * dialledServerIdentity, which replaces writtenHostsIdentity).
 * Input: `live --nats tls://u:s3cret@<IPv4 address in another notation>:<p>` — `127.1`, `0x7f.0.0.1`,
 *   `127.000.000.001` (leading zeros, as addresses are often padded in inventories) — to a nats-server
 *   with TLS on 127.0.0.1 whose certificate a trusted CA signed (NODE_EXTRA_CA_CERTS):
 *   (a) a certificate for DNS:localhost only; (b) a certificate for IP:127.0.0.1.
 * Was (observed): (a) live starts — CONNECT with the password goes to a server whose certificate is
 *   for 'localhost', not for the address written; (b) refused, exit 1: `--nats tls://127.1:<p>: cannot
 *   connect: Hostname/IP does not match certificate's altnames: Host: localhost. is not cert's CN: ip`.
 *   The very defect 38c48fc fixed for `tls://127.0.0.1`, back for the same address written otherwise:
 *   nats.js reads the host through an http:// URL, which normalises IPv4 (`127.1`, `0x7f.0.0.1`,
 *   `127.000.000.001` → 127.0.0.1: an IP, so no TLS name, and Node checks 'localhost'), while
 *   natsServerHost parses it as a nats:// URL — not special, so no IPv4 parsing — and gets `127.1`,
 *   which isIP calls no address: writtenHostsIdentity finds no written address and checks 'localhost'.
 * Correct: as for `tls://127.0.0.1` (38c48fc, README "a tls:// NATS server's certificate must be for
 *   the host written, an IP address included"; RFC 6125 / RFC 2818 §3.1): the address the client
 *   dials is the address written, and its certificate is checked against it — (a) refused with one
 *   line naming the server, no password; (b) starts.
 * Fix: src/export/nats-exporter.ts writtenHostsIdentity (or natsServerHost): read each host as
 *   nats.js does — `new URL('http://' + <host[:port]>).hostname` normalises IPv4 notations (and strip
 *   an `::ffff:` IPv4-mapped prefix as nats.js's filterIpv6MappedToIpv4 does) — before isIP and the
 *   check; or refuse, in src/cli/live-options.ts, a tls:// host that is neither a name nor an address
 *   in dotted-decimal/IPv6 form, saying to write 127.0.0.1.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canRun, freeTcpPort, makeCerts, natsServer, runToStart, tempDir } from './helpers.js';

const { dir, remove } = tempDir('r22-notation-');
beforeAll(() => {
  if (canRun) makeCerts(dir, { ip: 'IP:127.0.0.1', localhost: 'DNS:localhost' });
});
afterAll(remove);
const env = () => ({ NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') });

for (const host of ['127.1', '0x7f.0.0.1', '127.000.000.001']) {
  it.skipIf(!canRun)(`(a) tls://${host} with a certificate for "localhost" only: refused, one line, no password`, async () => {
    const port = await freeTcpPort();
    const server = await natsServer(dir, port, { cert: 'localhost' });
    try {
      const run = await runToStart(path.join(dir, `a-${host}`), `tls://u:s3cret@${host}:${port}`, env());
      expect(run.outcome, run.lines.join('\n')).toBe(1);
      expect(run.lines).toHaveLength(1);
      expect(run.lines[0]).toContain(`--nats tls://${host}:${port}: cannot connect: `);
      expect(run.secretShown).toBe(false);
    } finally {
      await server.stop();
    }
  }, 60_000);
}

it.skipIf(!canRun)('(b) tls://127.000.000.001 with a certificate for IP 127.0.0.1: starts (not checked against "localhost")', async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'ip' });
  try {
    const run = await runToStart(path.join(dir, 'b'), `tls://u:s3cret@127.000.000.001:${port}`, env());
    expect(run.lines.join('\n')).not.toContain('Host: localhost');
    expect(run.outcome, run.lines.join('\n')).toBe('started');
  } finally {
    await server.stop();
  }
}, 60_000);
