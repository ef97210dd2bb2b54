/**
 * What the uri-ssrf-review tests share: a throwaway certificate whose names cover every way the
 * tests spell the local server (localhost, repo.test, 127.0.0.1, ::1, ::ffff:127.0.0.1), and a
 * local HTTPS server that counts the requests it sees — on [::] (dual stack) when this machine
 * has IPv6 loopback, else on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
export { opensslAvailable } from '../test-certificate.js';

export interface CountingServer {
  server: Server;
  port: number;
  /** whether [::1] reaches the server */
  ipv6: boolean;
  cert: string;
  dir: string;
  /** requests seen, by path */
  hits: Record<string, number>;
  total(): number;
  close(): Promise<void>;
}

function certificate(): { dir: string; key: Buffer; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aipref-ssrf-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,DNS:repo.test,IP:127.0.0.1,IP:::1,IP:::ffff:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    { stdio: 'ignore' },
  );
  return { dir, key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

/** Serves a user statement at every path but /redirect (302 to /apt/target). */
export async function countingServer(): Promise<CountingServer> {
  const made = certificate();
  const hits: Record<string, number> = {};
  const server = createServer({ key: made.key, cert: made.cert }, (req, res) => {
    const path = req.url ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    if (path === '/redirect') {
      res.writeHead(302, { location: '/apt/target' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/aipref+json', 'cache-control': 'max-age=60' }).end(JSON.stringify({ type: 'user', export: 'raw', retention: '1h' }));
  });
  let ipv6 = true;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host: '::', ipv6Only: false }, () => resolve());
    });
  } catch {
    ipv6 = false;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  return {
    server,
    port: (server.address() as AddressInfo).port,
    ipv6,
    cert: made.cert,
    dir: made.dir,
    hits,
    total: () => Object.values(hits).reduce((a, b) => a + b, 0),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
