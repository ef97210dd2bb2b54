/**
 * Found by a review of the AI-service message form and its delivery (seed 001), fixed since.
 *
 * Input: `AiServiceExporter` over HTTP against a real node:http service that answers the first
 * POST `413 Content Too Large` with `Retry-After: 1` (the service's intake buffer is full for a
 * moment) and every later one 200.
 *
 * Was: the item is refused for good on the first answer: the service got 1 request, stats
 * `{"attempts":1,"delivered":0,"retries":0,"rejected":1,…"discarded":1…}`; the telemetry is gone.
 *
 * Correct: RFC 9110 §15.5.14 (413): "If the condition is temporary, the server SHOULD generate a
 * Retry-After header field to indicate that it is temporary and after what time the client MAY
 * try again." A 413 with Retry-After is a temporary refusal: the item stays spooled and is sent
 * again no sooner than the Retry-After (as for 429/503, RFC 9110 §10.2.3), then acknowledged:
 * 2 requests, ≥ ~1 s apart, delivered 1, rejected 0. (A 413 without Retry-After may stay final.)
 *
 * Fix: src/export/http-transport.ts, HttpTransport.deliver: before returning `rejected` for a
 * 4xx, return `retry(…)` when the status is 413 (and arguably 503-like 4xx) and a readable
 * Retry-After is present.
 */
import { describe, expect, it } from 'vitest';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { telemetryLine } from '../lines.js';
import { startHttp, tempDirEachTest } from './helpers.js';

const temp = tempDirEachTest('h413-');

describe('413 with Retry-After', () => {
  it('is a temporary refusal: retried after the wait, then delivered', async () => {
    const service = await startHttp((_h, n, res) => (n === 1 ? res.writeHead(413, { 'retry-after': '1' }).end() : res.writeHead(200).end()));
    temp.cleanups.push(service.close);
    const exporter = await AiServiceExporter.open({ url: `${service.url}/v1/ai`, token: 't', spoolDir: temp.dir, concurrency: 1, timeoutMs: 1000, backoff: { baseMs: 10, maxMs: 40 } });
    temp.cleanups.push(() => exporter.close());
    await exporter.send(telemetryLine(1));
    await exporter.delivered(15_000);
    expect(service.hits).toHaveLength(2);
    expect(service.hits[1]!.at - service.hits[0]!.at).toBeGreaterThanOrEqual(950);
    expect(exporter.stats).toMatchObject({ delivered: 1, rejected: 0 });
  });
});
