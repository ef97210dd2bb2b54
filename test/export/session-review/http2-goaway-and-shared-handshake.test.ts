/**
 * Found by a review of the session's changes, fixed since: a GOAWAY retires the session without cutting its streams, a handshake is no one caller's to abort,
 * and a stream's reset concerns that stream alone (src/export/https-origin.ts).
 *
 * Input: HttpTransport (src/export/http-transport.ts) to an HTTP/2-only https:// service (real
 * node:http2 server, self-signed certificate accepted for the test), through HttpsOrigin
 * (src/export/https-origin.ts).
 *  1. Graceful shutdown: the service, on the request, closes its session gracefully
 *     (session.close(): GOAWAY with last-stream-id = this request's stream) and answers 200
 *     50 ms later — what a server being redeployed or rotating connections does (nginx
 *     keepalive_requests/keepalive_timeout, Envoy drain, Node server.close()).
 *  2. Shared handshake: two deliveries start together before any connection exists; the first
 *     one's signal (the exporter's, e.g. close() or the item expiring) aborts while both wait on
 *     the TLS handshake; the second's does not.
 * Was:
 *  1. {kind: "retry", reason: "HTTP/2 stream ended without a response"} — HttpsOrigin listens to 'goaway' with drop() → forget() →
 *     session.destroy(), which cancels the stream the GOAWAY let finish; the service got and
 *     answered the item, the enforcer sends it again (a duplicate delivery; every in-flight item
 *     at every connection rotation).
 *  2. the second delivery: {kind: "retry", reason: "This operation was aborted"} — the
 *     handshake promise shared between concurrent requests (`opening`) was made with the first
 *     request's signal, so its abort fails every request waiting on it.
 *  3. A stream reset: with a session up, two requests r1 and r2 go together; the service refuses
 *     r1's stream (RST_STREAM REFUSED_STREAM) and answers r2 200 50 ms later.
 *     Was: r2 {kind: "retry", reason: "HTTP/2 stream ended without a response"} — deliver()'s catch calls origin.forget() for r1's
 *     stream error, which destroys the session every other request is on.
 * Correct:
 *  1. {kind: "acknowledged"}: RFC 9113 §6.8 — after GOAWAY "the sender ... can still finish
 *     streams with identifiers lower than or equal to" last-stream-id; the client must only
 *     stop opening new streams there (a new request opens a new connection).
 *  2. {kind: "acknowledged"}: one request's abort is that request's (seed 001 §3: each item is
 *     retried on its own); the shared connection attempt should not carry it.
 *  3. r1 retried, r2 {kind: "acknowledged"}: RFC 9113 §5.4.2, a stream error concerns that
 *     stream only; the connection stays usable.
 * Fix: http-transport.ts deliver(): forget() only on a connection failure (session error, or
 * the handshake), not on one stream's error. https-origin.ts connect(): on 'goaway' stop using the session for new requests
 * (this.session = undefined / picked kept) but do not destroy it — session.close() lets the
 * streams under way end; destroy only on 'error'/'close'. handshake(): connect without the
 * caller's signal (or with one aborting only when every waiter has aborted), each post() racing
 * its own signal against the shared promise.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { constants, createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { HttpTransport } from '../../../src/export/http-transport.js';
import { CERT, KEY } from '../ai-message-review/tls-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
});

async function serve(answer: (req: Http2ServerRequest, res: Http2ServerResponse) => void): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createSecureServer({ key: KEY, cert: CERT }, (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(String(req.headers['x-request-id']));
      answer(req, res);
    });
  });
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (s) => sessions.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => {
    for (const s of sessions) s.destroy();
    server.close(() => r());
  }));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/ai`, seen };
}

describe('HTTP/2 AI service: GOAWAY and a shared handshake', () => {
  it('a graceful GOAWAY lets the request under way finish: acknowledged, not sent again', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const service = await serve((req, res) => {
      req.stream.session?.close();
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 50);
    });
    const transport = new HttpTransport({ url: service.url, timeoutMs: 2000 });
    cleanups.push(() => transport.close());
    const outcome = await transport.deliver('{}', 'r1', new AbortController().signal);
    expect(service.seen).toEqual(['r1']);
    expect(outcome).toEqual({ kind: 'acknowledged' });
  });

  it("one request's abort during the shared handshake does not fail the other", async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const service = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const transport = new HttpTransport({ url: service.url, timeoutMs: 2000 });
    cleanups.push(() => transport.close());
    const first = new AbortController();
    const one = transport.deliver('{}', 'r1', first.signal);
    const two = transport.deliver('{}', 'r2', new AbortController().signal);
    // both are waiting on the one TLS handshake now (post() runs to it synchronously)
    first.abort();
    const [, second] = await Promise.all([one, two]);
    expect(second).toEqual({ kind: 'acknowledged' });
    expect(service.seen).toEqual(['r2']);
  });

  it("one stream reset by the service does not fail the other requests on the session", async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const service = await serve((req, res) => {
      if (req.headers['x-request-id'] === 'r1') req.stream.close(constants.NGHTTP2_REFUSED_STREAM);
      else setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 50);
    });
    const transport = new HttpTransport({ url: service.url, timeoutMs: 2000 });
    cleanups.push(() => transport.close());
    // a connection first, so that both requests go on the one session
    expect(await transport.deliver('{}', 'r0', new AbortController().signal)).toEqual({ kind: 'acknowledged' });
    const [one, two] = await Promise.all([transport.deliver('{}', 'r1', new AbortController().signal), transport.deliver('{}', 'r2', new AbortController().signal)]);
    expect(one).toMatchObject({ kind: 'retry' });
    expect(two).toEqual({ kind: 'acknowledged' });
  });
});
