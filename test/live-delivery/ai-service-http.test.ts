/**
 * The AI-service exporter over HTTP against a real node:http server on loopback
 * (seed 001 §2.6/§3.2/§3.3; README "Exporters"). Each test asserts what the contract asks
 * for.
 */
import { describe, expect, it } from 'vitest';
import { AiServiceExporter } from '../../src/export/http-exporter.js';
import { startAiService } from '../export/ai-service-stub.js';
import { telemetryLine } from '../export/lines.js';
import { tempDirEachTest } from '../export/temp-dir.js';


/** The service at the path a deployment would give it. */
const startService = (answer: Parameters<typeof startAiService>[0]) => startAiService(answer, '/v1/ai');

const temp = tempDirEachTest('aipref-delivery-ai-');
const cleanups = temp.cleanups;

async function open(url: string, extra: Partial<Parameters<typeof AiServiceExporter.open>[0]> = {}) {
  const exporter = await AiServiceExporter.open({ url, token: 'tok-old', spoolDir: temp.dir, concurrency: 1, timeoutMs: 2000, backoff: { baseMs: 20, maxMs: 100 }, ...extra });
  cleanups.push(() => exporter.close());
  return exporter;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AI service over HTTP (seed 001)', () => {
  it('a 401 (bearer token expired or revoked) does not destroy the export: it stays spooled and is sent again', async () => {
    // seed 001 §3.3: "The interface must support token renewal, revocation"; a 401 says the
    // credential is stale, not that the request is wrong. The service accepts from the 2nd try on
    // (as once the token has been renewed at the service / by the operator).
    const service = await startService((_h, n, res) => res.writeHead(n === 1 ? 401 : 200, n === 1 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {}).end());
    cleanups.push(service.close);
    const exporter = await open(service.url);
    const line = telemetryLine(1);
    await exporter.send(line);
    await exporter.delivered(15_000);
    await wait(300);
    // correct: the item was tried again and acknowledged; nothing was thrown away for good
    expect(exporter.stats.rejected).toBe(0);
    expect(service.hits.map((h) => h.body.requestId)).toEqual([line.requestId, line.requestId]);
    expect(exporter.stats.delivered).toBe(1);
  });

  it('an export refused with 401 under an expired token is delivered once the operator restarts with a renewed --token', async () => {
    // the service accepts only the renewed token
    const service = await startService((h, _n, res) => res.writeHead(h.authorization === 'Bearer tok-new' ? 200 : 401).end());
    cleanups.push(service.close);
    const first = await AiServiceExporter.open({ url: service.url, token: 'tok-old', spoolDir: temp.dir, concurrency: 1, backoff: { baseMs: 20, maxMs: 100 } });
    const line = telemetryLine(7);
    await first.send(line);
    for (let i = 0; i < 50 && service.hits.length === 0; i++) await wait(20);
    await wait(100);
    await first.close();
    const second = await AiServiceExporter.open({ url: service.url, token: 'tok-new', spoolDir: temp.dir, concurrency: 1, backoff: { baseMs: 20, maxMs: 100 } });
    cleanups.push(() => second.close());
    await second.delivered(15_000);
    await wait(200);
    expect(service.hits.filter((h) => h.authorization === 'Bearer tok-new').map((h) => h.body.requestId)).toEqual([line.requestId]);
  });

  it('a 200 whose response message says status "error" is not taken as an acknowledgement (seed 001 §3.2 status fields)', async () => {
    // the WebSocket transport retries on {status:"error"}; over HTTP the same response message must mean the same
    const service = await startService((h, n, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requestId: h.body.requestId, status: n === 1 ? 'error' : 'success' })),
    );
    cleanups.push(service.close);
    const exporter = await open(service.url);
    const line = telemetryLine(2);
    await exporter.send(line);
    await exporter.delivered(15_000);
    await wait(300);
    expect(service.hits.map((h) => h.body.requestId)).toEqual([line.requestId, line.requestId]);
    expect(exporter.stats.retries).toBe(1);
  });

  it.each([
    [503, 3],
    [429, 4],
  ])('a %d with Retry-After: 1 is not retried before the second the service asked for', async (status, n) => {
    const service = await startService((_h, hit, res) => (hit === 1 ? res.writeHead(status, { 'retry-after': '1' }).end() : res.writeHead(200).end()));
    cleanups.push(service.close);
    // the exporter's own default backoff (base 100 ms), as `live --to` uses it
    const exporter = await AiServiceExporter.open({ url: service.url, token: 't', spoolDir: temp.dir, concurrency: 1 });
    cleanups.push(() => exporter.close());
    await exporter.send(telemetryLine(n));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.hits).toHaveLength(2);
    expect(service.hits[1]!.at - service.hits[0]!.at).toBeGreaterThanOrEqual(950);
  });
});
