/**
 * Found by a review of the AI-service message form and its delivery (seed 001), fixed since.
 *
 * Input: `AiServiceExporter` over HTTP (what `live --to http://…` uses) against a real node:http
 * AI service that answers the POST of one telemetry request with a redirect (301, 302, 303 —
 * e.g. an API moved behind a load balancer or a login/maintenance page), the Location a second
 * real server that answers any request 200 `{}`.
 *
 * Was: fetch's default `redirect: "follow"` turns the POST into a GET without a body (Fetch
 * standard, 301/302 with POST and 303), the GET's 200 is taken as the acknowledgement, and the
 * item leaves the spool: stats `{"attempts":1,"delivered":1,…,"spool":{…"acknowledged":1…}}`,
 * the service got `POST` once (answered 302) and the other server got
 * `["GET","/elsewhere",undefined,0]` (method, path, authorization, body length). The telemetry
 * never reached any service, and the spool forgot it: silent loss.
 *
 * Correct: the item is acknowledged only when the service took the request (README
 * "Exporters": "spooled to disk until acknowledged (an HTTP 2xx …)"; seed 001 §3.2: the
 * response carries the original request's id — a GET of another URL answers no request of
 * ours). A 3xx is not a 2xx to our POST: the item must not be acknowledged (retried, or
 * refused, but never counted delivered), and no body-less GET goes anywhere.
 *
 * Fix: src/export/http-transport.ts, HttpTransport.deliver: pass `redirect: 'manual'` to fetch
 * and treat a 3xx as not acknowledged (a retry, or a rejection naming the Location); at most
 * follow 307/308 (which keep method and body) explicitly, and only to the same origin.
 */
import { describe, expect, it } from 'vitest';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { telemetryLine } from '../lines.js';
import { startHttp, tempDirEachTest, wait } from './helpers.js';

const temp = tempDirEachTest('redirect-');

describe('a redirect answering the POST of a request', () => {
  it.each([301, 302, 303])('%d is not an acknowledgement, and no body-less GET is sent', async (status) => {
    const elsewhere = await startHttp((_h, _n, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    temp.cleanups.push(elsewhere.close);
    const service = await startHttp((_h, _n, res) => res.writeHead(status, { location: `${elsewhere.url}/elsewhere` }).end());
    temp.cleanups.push(service.close);
    const exporter = await AiServiceExporter.open({ url: `${service.url}/v1/ai`, token: 'tok', spoolDir: temp.dir, concurrency: 1, timeoutMs: 1000, backoff: { baseMs: 10, maxMs: 40 } });
    temp.cleanups.push(() => exporter.close());
    await exporter.send(telemetryLine(1));
    for (let i = 0; i < 50 && service.hits.length === 0; i++) await wait(10);
    await wait(150);
    expect(service.hits[0]!.method).toBe('POST');
    expect(elsewhere.hits.filter((h) => h.method === 'GET')).toEqual([]);
    expect(exporter.stats.delivered).toBe(0);
    expect(exporter.stats.spool.acknowledged).toBe(0);
  });
});
