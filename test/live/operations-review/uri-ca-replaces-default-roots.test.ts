/**
 * Found by a review of live operations, fixed since: --uri-ca's certificates are trusted beside the default store (the bundled roots and NODE_EXTRA_CA_CERTS), through an agent of the resolver's own (src/policy/uri-resolver.ts trustingAgent).
 *
 * `live --uri-ca <pem>`: the extra CA is meant to be trusted *too* (src/cli/live-options.ts:
 * "trusting these extra CA certificates (PEM) too"), beside the default trust store.
 *
 * Input: an HTTPS repository whose certificate is trusted by the process's default store (here
 *   made so with NODE_EXTRA_CA_CERTS, standing in for a public CA), and a UriResolver given
 *   `ca` = another, private repository's certificate, as `live --uri-ca private.pem` builds it.
 * Was: the handle is unresolved ("self-signed certificate"): node:https's `ca` option replaces
 *   the whole default store (Mozilla roots and NODE_EXTRA_CA_CERTS alike), so as soon as an
 *   operator adds a private CA every publicly served `uri=<https://…>` handle fails and its
 *   identifier becomes most restrictive.
 * Correct: both repositories resolve — seed 000 §7.2 / SPEC §2 item 6 (live, an HTTP endpoint
 *   resolves `uri=` handles); the flag's documented meaning is "extra … too".
 * Fix: src/policy/uri-resolver.ts get(): instead of `ca: extra`, pass a `secureContext` built once
 *   from the defaults (tls.createSecureContext() — Mozilla roots plus NODE_EXTRA_CA_CERTS) with
 *   each extra PEM added by `context.context.addCACert(pem)`.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localhostCertificate, opensslAvailable } from '../../policy/test-certificate.js';
import { REPO } from '../live-helpers.js';

const run = promisify(execFile);

let server: Server;
let url: string;
const dirs: string[] = [];
let publicCertFile: string;
let privateCert: string;

beforeAll(async () => {
  if (!opensslAvailable) return;
  const pub = localhostCertificate('aipref-ops-pub-');
  const priv = localhostCertificate('aipref-ops-priv-');
  dirs.push(pub.dir, priv.dir);
  publicCertFile = path.join(pub.dir, 'cert.pem');
  privateCert = priv.cert;
  server = createServer({ key: pub.key, cert: pub.cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/aipref+json' }).end(JSON.stringify({ export: 'raw', retention: '1h' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/apt/public`;
});

afterAll(async () => {
  if (server) await new Promise<void>((r) => server.close(() => r()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Resolves `url` in a fresh node whose default store trusts the "public" certificate; `ca`: the resolver's extra CA. */
async function resolveIn(ca: string | null): Promise<{ status: string; reason?: string }> {
  const script = `
    import { UriResolver } from ${JSON.stringify(path.join(REPO, 'dist/src/policy/uri-resolver.js'))};
    const ca = process.env.EXTRA_CA || undefined;
    const r = await new UriResolver({ ...(ca && { ca }), allowHosts: ['127.0.0.1'] }).resolve(${JSON.stringify(url)}, 'urn:x');
    process.stdout.write(JSON.stringify(r));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: publicCertFile, EXTRA_CA: ca ?? '' },
  });
  return JSON.parse(stdout) as { status: string; reason?: string };
}

it.skipIf(!opensslAvailable)('without --uri-ca the default-trusted repository resolves (control)', async () => {
  expect((await resolveIn(null)).status).toBe('resolved');
});

it.skipIf(!opensslAvailable)('with --uri-ca of a private CA the default-trusted repository still resolves', async () => {
  const r = await resolveIn(privateCert);
  expect(r, JSON.stringify(r)).toMatchObject({ status: 'resolved' });
});
