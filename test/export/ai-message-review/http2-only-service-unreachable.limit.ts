/**
 * KNOWN LIMIT, not run (named .limit.ts so vitest leaves it out): found by a review of the
 * AI-service delivery and left — it fails today (HTTP/1.1 only). Rename it to .test.ts once fixed.
 *
 * Input: `AiServiceExporter` with an https:// URL (`live --to https://…`) against a real
 * node:http2 secure server that speaks HTTP/2 only (ALPN h2, `allowHTTP1: false`, as many
 * gRPC/REST gateways in front of AI services do) and answers every request 200. A control: the
 * same server with `allowHTTP1: true` gets the request (over HTTP/1.1) and acknowledges it, so
 * the TLS set-up (a self-signed certificate, accepted via NODE_TLS_REJECT_UNAUTHORIZED=0 for the
 * test only) is not what fails.
 *
 * Was: the HTTP/2-only service never receives anything: `{ versions: [], delivered: 0 }`; over
 * 1.5 s about 45 attempts (stats `{"attempts":46,"delivered":0,"retries":45,…}`), each failing
 * "fetch failed: … ssl3_read_bytes:tlsv1 alert no application protocol … SSL alert number 120"
 * — the transport's fetch (undici, Node 20) offers ALPN http/1.1 only.
 *
 * Correct: seed 001 §3.1: "HTTP/2 RESTful APIs [RFC9113] shall be supported", and backwards
 * compatibility down to HTTP/1.0 — i.e. both; SPEC §7 sends "JSON over HTTP … in the message
 * form of seed 001". The request reaches an h2-only service and is acknowledged.
 *
 * Fix: src/export/http-transport.ts, HttpTransport: negotiate h2 via ALPN — e.g. node:http2
 * `connect()` per origin for https:// URLs with a fallback to fetch/HTTP/1.1 when ALPN picks
 * http/1.1, or a dispatcher with `allowH2: true` (undici Agent) passed to fetch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { telemetryLine } from '../lines.js';
import { tempDirEachTest } from './helpers.js';
import { CERT, KEY } from './tls-fixture.js';

const temp = tempDirEachTest('h2-');
const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
afterEach(() => {
  if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
});

async function deliverTo(allowHTTP1: boolean, sub: string): Promise<{ versions: string[]; delivered: number }> {
  const versions: string[] = [];
  const server: Http2SecureServer = createSecureServer({ key: KEY, cert: CERT, allowHTTP1 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      versions.push(req.httpVersion);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  temp.cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const exporter = await AiServiceExporter.open({ url: `https://127.0.0.1:${(server.address() as { port: number }).port}/v1/ai`, token: 't', spoolDir: `${temp.dir}/${sub}`, concurrency: 1, timeoutMs: 1000, backoff: { baseMs: 10, maxMs: 40 } });
  temp.cleanups.push(() => exporter.close());
  await exporter.send(telemetryLine(1));
  await exporter.delivered(1500);
  return { versions, delivered: exporter.stats.delivered };
}

describe('an AI service that speaks HTTP/2 only (seed 001 §3.1)', () => {
  it('gets the request and acknowledges it, as an HTTP/1.1 one does', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    expect(await deliverTo(true, 'h1')).toEqual({ versions: ['1.1'], delivered: 1 });
    expect(await deliverTo(false, 'h2')).toEqual({ versions: ['2.0'], delivered: 1 });
  });
});
