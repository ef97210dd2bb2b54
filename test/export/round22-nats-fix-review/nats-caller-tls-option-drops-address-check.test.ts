/**
 * Found by a review of the NATS fixes (b91494c), fixed since: the caller's connection.tls is merged with the address check, not put in its place; only a checkServerIdentity of its own replaces it (src/export/nats-exporter.ts NatsJetStreamExporter.open).
 * Input: NatsJetStreamExporter.open with `servers: 'tls://u:s3cret@<IP>:<p>'` and the caller's own TLS
 *   options in `connection.tls` — a private CA (`{ ca }`, the usual reason to pass them) — against:
 *   (a) a nats-server at this host's non-loopback IPv4 (127.0.0.1 when there is none) whose
 *       certificate, signed by that CA, is for DNS:localhost only;
 *   (b) a nats-server at 127.0.0.1 whose certificate is for IP:127.0.0.1 (the right one).
 * Was (observed): (a) opens — CONNECT with the password goes to a server whose certificate is for
 *   'localhost', not for the address written; (b) refused: `Hostname/IP does not match certificate's
 *   altnames: Host: localhost. is not cert's CN: ip`. open() uses `opts.connection?.tls || { checkServerIdentity: dialledServerIdentity }`:
 *   any tls object of the caller replaces the whole check, and Node's default checks an IP server
 *   (nats.js gives it no TLS name, and upgrades a plain socket: Node has no host to check) against
 *   'localhost' — the hole 38c48fc and b91494c closed for the
 *   CLI, open again as soon as a caller passes a CA.
 * Correct: the caller's TLS options are honoured (its CA, client certificate, handshakeFirst) and the
 *   certificate is still checked against the address dialled (README: "a tls:// NATS server's
 *   certificate must be for the host written, an IP address included"; RFC 6125): (a) refused
 *   before any CONNECT, (b) opens. Only a checkServerIdentity of the caller's own replaces it.
 * Fix: src/export/nats-exporter.ts NatsJetStreamExporter.open: merge instead of replace —
 *   `tls: { checkServerIdentity: dialledServerIdentity, ...opts.connection?.tls }` (dialledServerIdentity
 *   already reads `this.host` for handshakeFirst); and do the same whenever the caller's tls makes TLS
 *   required without a tls:// server.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { canRun, freeTcpPort, makeCerts, natsServer, tempDir } from '../round22-nats-review/helpers.js';

const { dir, remove } = tempDir('r22fix-callertls-');
beforeAll(() => {
  if (canRun) makeCerts(dir, { ip: 'IP:127.0.0.1', localhost: 'DNS:localhost' });
});
afterAll(remove);
const external =
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
const ca = () => readFileSync(path.join(dir, 'ca.pem'));

async function openWith(servers: string, tls: Record<string, unknown>): Promise<string> {
  return NatsJetStreamExporter.open({ servers, maxRetentionSec: 60, connection: { tls: tls as never, timeout: 3000, maxReconnectAttempts: 0 } }).then(
    async (e) => (await e.close(100), 'opened'),
    (err: Error) => `refused: ${err.message}`,
  );
}

it.skipIf(!canRun)(`(a) caller's { ca }, tls://${external} with a certificate for "localhost" only: refused`, async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'localhost', host: '0.0.0.0' });
  try {
    expect(await openWith(`tls://u:s3cret@${external}:${port}`, { ca: ca() })).toMatch(/^refused: .*does not match/);
  } finally {
    await server.stop();
  }
}, 30_000);

it.skipIf(!canRun)('(b) caller\'s { ca }, tls://127.0.0.1 with a certificate for IP 127.0.0.1: opens', async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'ip' });
  try {
    expect(await openWith(`tls://u:s3cret@127.0.0.1:${port}`, { ca: ca() })).toBe('opened');
  } finally {
    await server.stop();
  }
}, 30_000);
