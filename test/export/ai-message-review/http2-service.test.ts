/**
 * Found by a review of the AI-service delivery (an HTTP/2-only service was never reached: Node
 * 20's fetch offers ALPN http/1.1 alone, every attempt failed "tlsv1 alert no application
 * protocol"), fixed since: an https:// service is asked by ALPN for h2 or http/1.1
 * (src/export/https-origin.ts) and reached over what it picks.
 *
 * Seed 001 §3.1: "HTTP/2 RESTful APIs [RFC9113] shall be supported", HTTP/1.x kept. Real
 * servers: node:http2 (h2 only, and h2 with HTTP/1.1 allowed) and node:https (HTTP/1.1 only),
 * a self-signed certificate accepted via NODE_TLS_REJECT_UNAUTHORIZED=0 for these tests only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { HttpTransport } from '../../../src/export/http-transport.js';
import { telemetryLine } from '../lines.js';
import { tempDirEachTest } from './helpers.js';
import { CERT, KEY } from './tls-fixture.js';

const temp = tempDirEachTest('h2-');
const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
afterEach(() => {
  if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
});

interface Seen {
  version: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  requestId: string | undefined;
  body: string;
}
type Answer = (n: number, res: ServerResponse | Http2ServerResponse) => void;
const ok: Answer = (_n, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');

async function serve(kind: 'h2-only' | 'h2-or-h1' | 'h1-only', answer: Answer = ok): Promise<{ url: string; seen: Seen[]; connections: () => number }> {
  const seen: Seen[] = [];
  let connections = 0;
  const handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        version: req.httpVersion,
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        requestId: req.headers['x-request-id'] as string | undefined,
        body: Buffer.concat(chunks).toString(),
      });
      answer(seen.length, res);
    });
  };
  const server: Server =
    kind === 'h1-only'
      ? createHttpsServer({ key: KEY, cert: CERT }, handler)
      : createSecureServer({ key: KEY, cert: CERT, allowHTTP1: kind === 'h2-or-h1' }, handler);
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  temp.cleanups.push(
    () =>
      new Promise<void>((r) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => r());
      }),
  );
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/ai?x=1`, seen, connections: () => connections };
}

async function exporterTo(url: string, sub: string, timeoutMs = 1000): Promise<AiServiceExporter> {
  const exporter = await AiServiceExporter.open({ url, token: 't0k', spoolDir: `${temp.dir}/${sub}`, concurrency: 2, timeoutMs, backoff: { baseMs: 10, maxMs: 40 } });
  temp.cleanups.push(() => exporter.close());
  return exporter;
}

describe('an https:// AI service over HTTP/2 or HTTP/1.1 (seed 001 §3.1)', () => {
  it('an HTTP/2-only service gets the request, whole, and acknowledges it', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const service = await serve('h2-only');
    const exporter = await exporterTo(service.url, 'a');
    await exporter.send(telemetryLine(1));
    await exporter.delivered(15_000);
    expect(exporter.stats.delivered).toBe(1);
    expect(service.seen).toHaveLength(1);
    const [hit] = service.seen;
    expect(hit!.version).toBe('2.0');
    expect(hit!.path).toBe('/v1/ai?x=1');
    expect(hit!.contentType).toBe('application/json');
    expect(hit!.authorization).toBe('Bearer t0k');
    expect(hit!.requestId).toMatch(/\S/);
    expect(JSON.parse(hit!.body)).toMatchObject({ requestId: hit!.requestId });
  });

  it('a service that speaks both is reached over HTTP/2; one that speaks HTTP/1.1 only over HTTP/1.1', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const both = await serve('h2-or-h1');
    const h1 = await serve('h1-only');
    for (const [service, sub] of [[both, 'b'], [h1, 'c']] as const) {
      const exporter = await exporterTo(service.url, sub);
      await exporter.send(telemetryLine(1));
      await exporter.delivered(15_000);
      expect(exporter.stats.delivered).toBe(1);
    }
    expect(both.seen.map((s) => s.version)).toEqual(['2.0']);
    expect(h1.seen.map((s) => s.version)).toEqual(['1.1']);
  });

  it('requests share one HTTP/2 connection; a 503 with Retry-After over HTTP/2 is retried, a 400 rejected', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const service = await serve('h2-only', (n, res) => {
      if (n === 1) res.writeHead(503, { 'retry-after': '0' }).end();
      else ok(n, res);
    });
    const transport = new HttpTransport({ url: service.url, timeoutMs: 2000 });
    temp.cleanups.push(() => transport.close());
    const signal = new AbortController().signal;
    expect(await transport.deliver('{"n":1}', 'r1', signal)).toEqual({ kind: 'retry', reason: 'HTTP 503', retryAfterMs: 0 });
    expect(await transport.deliver('{"n":1}', 'r1', signal)).toEqual({ kind: 'acknowledged' });
    const three = await Promise.all(['r2', 'r3', 'r4'].map((id) => transport.deliver('{}', id, signal)));
    expect(three).toEqual([{ kind: 'acknowledged' }, { kind: 'acknowledged' }, { kind: 'acknowledged' }]);
    expect(service.seen.map((s) => s.requestId)).toEqual(['r1', 'r1', 'r2', 'r3', 'r4']);
    // the first connection is the one ALPN picked h2 on: kept, not reopened
    expect(service.connections()).toBe(1);

    const refusing = await serve('h2-only', (_n, res) => res.writeHead(400).end());
    const t2 = new HttpTransport({ url: refusing.url, timeoutMs: 2000 });
    temp.cleanups.push(() => t2.close());
    expect(await t2.deliver('{}', 'r5', signal)).toEqual({ kind: 'rejected', reason: 'HTTP 400' });
  });

  it('an HTTP/2 service that does not answer times out (retry), and close() does not wait for it', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const service = await serve('h2-only', () => {});
    const transport = new HttpTransport({ url: service.url, timeoutMs: 200 });
    const signal = new AbortController().signal;
    expect(await transport.deliver('{}', 'r1', signal)).toEqual({ kind: 'retry', reason: 'no answer within 200 ms' });
    const t0 = performance.now();
    await transport.close();
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('a service that is not there is a retry naming the failure; it is asked again once it is up', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const service = await serve('h2-only');
    const transport = new HttpTransport({ url: service.url.replace(/:\d+\//, ':1/'), timeoutMs: 1000 });
    temp.cleanups.push(() => transport.close());
    const outcome = await transport.deliver('{}', 'r1', new AbortController().signal);
    expect(outcome).toMatchObject({ kind: 'retry' });
    expect((outcome as { reason: string }).reason).toMatch(/ECONNREFUSED/);
  });
});
