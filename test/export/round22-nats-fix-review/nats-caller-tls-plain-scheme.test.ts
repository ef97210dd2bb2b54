/**
 * Found by a review of the NATS fixes (b91494c), fixed since: the caller's connection.tls is merged with the address check, also when it is what makes TLS required (src/export/nats-exporter.ts NatsJetStreamExporter.open).
 * Input: NatsJetStreamExporter.open with a nats:// server at an IP address (no tls://) and the caller's
 *   own `connection.tls` `{ ca }` — nats.js then requires TLS — against a nats-server whose certificate,
 *   signed by that CA, is for DNS:localhost only; and the same with the caller's own checkServerIdentity.
 * Was: the caller's tls went to nats.js as it was, with no check of the address: Node checked the IP
 *   server's certificate against 'localhost', and the CONNECT with the password went to it.
 * Correct: refused (the certificate is not for the address dialled); a checkServerIdentity of the
 *   caller's own is the one called, and its answer stands.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { canRun, freeTcpPort, makeCerts, natsServer, tempDir } from '../round22-nats-review/helpers.js';

const { dir, remove } = tempDir('r22fix-callertls-plain-');
beforeAll(() => {
  if (canRun) makeCerts(dir, { localhost: 'DNS:localhost' });
});
afterAll(remove);
const external =
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';

async function openWith(servers: string, tls: Record<string, unknown>): Promise<string> {
  return NatsJetStreamExporter.open({ servers, maxRetentionSec: 60, connection: { tls: tls as never, timeout: 3000, maxReconnectAttempts: 0 } }).then(
    async (e) => (await e.close(100), 'opened'),
    (err: Error) => `refused: ${err.message}`,
  );
}

it.skipIf(!canRun)(`caller's { ca }, nats://${external} with a certificate for "localhost" only: refused`, async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'localhost', host: '0.0.0.0' });
  try {
    expect(await openWith(`nats://u:s3cret@${external}:${port}`, { ca: readFileSync(path.join(dir, 'ca.pem')) })).toMatch(/^refused: .*does not match/);
  } finally {
    await server.stop();
  }
}, 30_000);

it.skipIf(!canRun)("caller's own checkServerIdentity: called, its answer stands", async () => {
  const port = await freeTcpPort();
  const server = await natsServer(dir, port, { cert: 'localhost', host: '0.0.0.0' });
  const seen: string[] = [];
  try {
    const tls = (answer: Error | undefined) => ({ ca: readFileSync(path.join(dir, 'ca.pem')), checkServerIdentity: (host: string) => (seen.push(host), answer) });
    expect(await openWith(`tls://u:s3cret@${external}:${port}`, tls(undefined))).toBe('opened');
    expect(await openWith(`tls://u:s3cret@${external}:${port}`, tls(new Error('refused by the caller')))).toMatch(/^refused: .*refused by the caller/);
    expect(seen.length).toBeGreaterThanOrEqual(2);
  } finally {
    await server.stop();
  }
}, 30_000);
