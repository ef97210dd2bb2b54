import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localhostCertificate, opensslAvailable } from './test-certificate.js';
import { UriResolver } from '../../src/policy/uri-resolver.js';


if (!opensslAvailable) console.warn('uri-resolver tests skipped: openssl is not on this machine, so no test certificate can be made');

describe.skipIf(!opensslAvailable)('UriResolver against a local HTTPS server', () => {
  let server: Server;
  let base: string;
  let cert: string;
  let certDir: string;
  const hits: Record<string, number> = {};
  const conditional: string[] = [];

  beforeAll(async () => {
    const made = localhostCertificate('aipref-tls-');
    cert = made.cert;
    certDir = made.dir;
    server = createServer({ key: made.key, cert }, (req, res) => {
      const path = req.url ?? '/';
      hits[path] = (hits[path] ?? 0) + 1;
      const statement = JSON.stringify({ type: 'user', export: 'raw', retention: '1h' });
      switch (path) {
        case '/fresh':
          res.writeHead(200, { 'content-type': 'application/aipref+json', 'cache-control': 'max-age=60' }).end(statement);
          return;
        case '/etag':
          if (req.headers['if-none-match'] === '"e1"') {
            conditional.push(`etag:${req.headers['if-none-match']}`);
            res.writeHead(304, { etag: '"e1"', 'cache-control': 'max-age=30' }).end();
            return;
          }
          res.writeHead(200, { etag: '"e1"', 'cache-control': 'no-cache' }).end(statement);
          return;
        case '/last-modified': {
          const lm = 'Wed, 21 Oct 2026 07:28:00 GMT';
          if (req.headers['if-modified-since'] === lm) {
            conditional.push(`ims:${lm}`);
            res.writeHead(304).end();
            return;
          }
          res.writeHead(200, { 'last-modified': lm }).end(statement);
          return;
        }
        case '/no-store':
          res.writeHead(200, { 'cache-control': 'no-store, max-age=60' }).end(statement);
          return;
        case '/flaky':
          if (hits[path] === 1) res.writeHead(200, { etag: '"f1"', 'cache-control': 'max-age=0' }).end(statement);
          else res.writeHead(503).end();
          return;
        case '/broken':
          res.writeHead(500).end('oops');
          return;
        case '/not-json':
          res.writeHead(200).end('<html>');
          return;
        case '/slow':
          return; // never answers
        default:
          res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://localhost:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(certDir, { recursive: true, force: true });
  });

  function resolver(clock: { now: number }, timeoutMs = 1000): UriResolver {
    // the local server is at loopback: allowed, as --uri-allow does for a private repository
    return new UriResolver({ ca: cert, timeoutMs, now: () => clock.now, allowHosts: ['localhost'] });
  }

  it('fetches a statement and serves it from cache while max-age holds', async () => {
    const clock = { now: 0 };
    const r = resolver(clock);
    const first = await r.resolve(`${base}/fresh`, 'apt-u');
    expect(first).toMatchObject({ status: 'resolved', from: 'network', part: { prefId: 'apt-u', source: 'uri-fetched', params: { export: 'raw' } } });
    clock.now = 59_000;
    expect(await r.resolve(`${base}/fresh`, 'apt-other')).toMatchObject({ status: 'resolved', from: 'cache', part: { prefId: 'apt-other' } });
    expect(hits['/fresh']).toBe(1);
    clock.now = 61_000;
    expect(await r.resolve(`${base}/fresh`, 'apt-u')).toMatchObject({ from: 'network' });
    expect(hits['/fresh']).toBe(2);
  });

  it('revalidates with If-None-Match; 304 keeps the cached statement', async () => {
    const clock = { now: 0 };
    const r = resolver(clock);
    expect(await r.resolve(`${base}/etag`, 'a')).toMatchObject({ from: 'network' });
    const again = await r.resolve(`${base}/etag`, 'a');
    expect(again).toMatchObject({ status: 'resolved', from: 'revalidated', part: { params: { retention: '1h' } } });
    expect(conditional).toContain('etag:"e1"');
    // the 304 said max-age=30: fresh again without asking
    const before = hits['/etag'];
    expect(await r.resolve(`${base}/etag`, 'a')).toMatchObject({ from: 'cache' });
    expect(hits['/etag']).toBe(before);
  });

  it('revalidates with If-Modified-Since', async () => {
    const r = resolver({ now: 0 });
    await r.resolve(`${base}/last-modified`, 'a');
    expect(await r.resolve(`${base}/last-modified`, 'a')).toMatchObject({ from: 'revalidated' });
    expect(conditional).toContain('ims:Wed, 21 Oct 2026 07:28:00 GMT');
  });

  it('no-store is never cached', async () => {
    const r = resolver({ now: 0 });
    await r.resolve(`${base}/no-store`, 'a');
    await r.resolve(`${base}/no-store`, 'a');
    expect(hits['/no-store']).toBe(2);
  });

  it.each([
    ['a server error', '/broken', /^HTTP 500$/],
    ['a missing handle', '/missing', /^HTTP 404$/],
    ['a body that is not JSON', '/not-json', /not JSON/],
    ['a timeout', '/slow', /timeout after 200 ms/],
  ])('%s → unresolved', async (_name, path, reason) => {
    const result = await resolver({ now: 0 }, 200).resolve(`${base}${path}`, 'a');
    expect(result.status).toBe('unresolved');
    if (result.status === 'unresolved') expect(result.reason).toMatch(reason);
  });

  it('an untrusted certificate → unresolved', async () => {
    const result = await new UriResolver({ timeoutMs: 1000, allowHosts: ['localhost'] }).resolve(`${base}/fresh`, 'a');
    expect(result.status).toBe('unresolved');
    if (result.status === 'unresolved') expect(result.reason).not.toMatch(/not fetched/);
  });

  it('only https handles are resolved', async () => {
    expect(await resolver({ now: 0 }).resolve('http://localhost/x', 'a')).toEqual({ status: 'unresolved', uri: 'http://localhost/x', reason: 'only https handles are resolved' });
    expect(await resolver({ now: 0 }).resolve('not a uri', 'a')).toMatchObject({ status: 'unresolved', reason: 'not a URI' });
  });

  it('a failed revalidation does not serve the stale statement', async () => {
    const r = resolver({ now: 0 });
    expect(await r.resolve(`${base}/flaky`, 'a')).toMatchObject({ status: 'resolved', from: 'network' });
    expect(await r.resolve(`${base}/flaky`, 'a')).toEqual({ status: 'unresolved', uri: `${base}/flaky`, reason: 'HTTP 503' });
  });
});
