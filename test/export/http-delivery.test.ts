/**
 * What an HTTP answer means for a spooled item, beyond 2xx/5xx: refused credentials (kept,
 * told once per episode), the response message's status in a 2xx body, and Retry-After.
 * Against a real node:http server on loopback.
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AiServiceExporter } from '../../src/export/http-exporter.js';
import { parseRetryAfterMs } from '../../src/export/http-transport.js';
import { retryPauseMs } from '../../src/export/backoff.js';
import type { ExportFailureKind } from '../../src/export/exporter.js';
import { startAiService } from './ai-service-stub.js';
import { telemetryLine } from './lines.js';
import { tempDirEachTest } from './temp-dir.js';


const temp = tempDirEachTest('aipref-http-');
const cleanups = temp.cleanups;

interface Failure {
  reason: string;
  kind: ExportFailureKind;
}

async function open(url: string, extra: Partial<Parameters<typeof AiServiceExporter.open>[0]> = {}): Promise<{ exporter: AiServiceExporter; failures: Failure[] }> {
  const failures: Failure[] = [];
  const exporter = await AiServiceExporter.open({
    url,
    token: 'tok',
    spoolDir: temp.dir,
    concurrency: 1,
    timeoutMs: 1000,
    backoff: { baseMs: 10, maxMs: 40 },
    onFailure: (reason, _id, kind) => failures.push({ reason, kind }),
    ...extra,
  });
  cleanups.push(() => exporter.close());
  return { exporter, failures };
}

describe('refused credentials (401, 403)', () => {
  it('keeps the item, retries it, and tells one failure per episode, not one per refusal', async () => {
    // refused 3 times, accepted, refused once more, accepted
    const service = await startAiService((_h, n, res) => (n <= 3 || n === 5 ? res.writeHead(n === 5 ? 403 : 401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end() : res.writeHead(200).end()));
    cleanups.push(service.close);
    const { exporter, failures } = await open(service.url);
    await exporter.send(telemetryLine(1));
    expect(await exporter.delivered(15_000)).toBe(true);
    await exporter.send(telemetryLine(2));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.hits.map((h) => h.body.requestId)).toEqual([1, 1, 1, 1, 2, 2].map((n) => telemetryLine(n).requestId));
    expect(exporter.stats).toMatchObject({ delivered: 2, rejected: 0, retries: 4, unauthorized: 4 });
    expect(exporter.stats.spool.discarded).toBe(0);
    expect(failures.map((f) => f.kind)).toEqual(['retry', 'retry']);
    expect(failures[0]!.reason).toMatch(/^HTTP 401 \(Bearer error="invalid_token"\): the service refused this enforcer's credentials/);
    expect(failures[1]!.reason).toMatch(/^HTTP 403 .*credentials/);
  });

  it('does not write a refused item to the acks file, so a restart still has it', async () => {
    const service = await startAiService((_h, _n, res) => res.writeHead(401).end());
    cleanups.push(service.close);
    const { exporter } = await open(service.url);
    const line = telemetryLine(1);
    await exporter.send(line);
    for (let i = 0; i < 100 && service.hits.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await exporter.close();
    const acks = await readFile(join(temp.dir, 'acks.ndjson'), 'utf8').catch(() => '');
    expect(acks).not.toContain(line.requestId);
    const { exporter: again } = await open(service.url);
    expect(again.pending).toBe(1);
  });

  it('still drops for good what the service refuses as a bad request (400, 413, 422)', async () => {
    const statuses = [400, 413, 422];
    const service = await startAiService((_h, n, res) => res.writeHead(statuses[n - 1] ?? 200).end());
    cleanups.push(service.close);
    const { exporter, failures } = await open(service.url);
    for (const n of [1, 2, 3]) await exporter.send(telemetryLine(n));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.hits).toHaveLength(3);
    expect(exporter.stats).toMatchObject({ rejected: 3, retries: 0, delivered: 0 });
    expect(failures).toEqual(statuses.map((s) => ({ reason: `HTTP ${s}`, kind: 'rejected' })));
  });
});

describe('the body of a 2xx', () => {
  it('acknowledges on status success or partial, an empty body, a non-JSON body or JSON that is no response message', async () => {
    const bodies = ['{"requestId":"x","status":"partial"}', '', 'OK', '{"ok":true}', '{"requestId":"x","status":"success"}'];
    const service = await startAiService((_h, n, res) => res.writeHead(n === 3 ? 202 : 200, { 'content-type': 'application/json' }).end(bodies[n - 1]));
    cleanups.push(service.close);
    const { exporter, failures } = await open(service.url);
    for (const n of [1, 2, 3, 4, 5]) await exporter.send(telemetryLine(n));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.hits).toHaveLength(5);
    expect(exporter.stats).toMatchObject({ delivered: 5, retries: 0 });
    expect(failures).toEqual([]);
  });

  it('retries on status error, saying so', async () => {
    const service = await startAiService((h, n, res) => res.writeHead(200).end(JSON.stringify({ requestId: h.body.requestId, status: n === 1 ? 'error' : 'success' })));
    cleanups.push(service.close);
    const { exporter, failures } = await open(service.url);
    await exporter.send(telemetryLine(1));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.hits).toHaveLength(2);
    expect(failures).toEqual([{ reason: 'HTTP 200 with status "error"', kind: 'retry' }]);
  });
});

describe('Retry-After', () => {
  it('takes an HTTP-date', async () => {
    // HTTP-dates have whole seconds: two seconds from now is at least one away
    const at = new Date(Date.now() + 2000).toUTCString();
    const service = await startAiService((_h, n, res) => (n === 1 ? res.writeHead(503, { 'retry-after': at }).end() : res.writeHead(200).end()));
    cleanups.push(service.close);
    const { exporter } = await open(service.url);
    await exporter.send(telemetryLine(1));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.hits[1]!.at - service.hits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('is bounded by retryAfterMaxMs', async () => {
    const service = await startAiService((_h, n, res) => (n === 1 ? res.writeHead(429, { 'retry-after': '3600' }).end() : res.writeHead(200).end()));
    cleanups.push(service.close);
    const { exporter } = await open(service.url, { backoff: { baseMs: 10, maxMs: 40, retryAfterMaxMs: 150 } });
    await exporter.send(telemetryLine(1));
    expect(await exporter.delivered(15_000)).toBe(true);
    const gap = service.hits[1]!.at - service.hits[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(140);
    expect(gap).toBeLessThan(1000);
  });

  it('an item that expires while waiting is deleted as expired, never sent; the next one goes once the wait is over', async () => {
    const service = await startAiService((_h, n, res) => (n === 1 ? res.writeHead(503, { 'retry-after': '2' }).end() : res.writeHead(200).end()));
    cleanups.push(service.close);
    const { exporter } = await open(service.url, { expirySweepMs: 20 });
    const shortLived = telemetryLine(1, { retentionSec: 0.8 });
    const longLived = telemetryLine(2);
    await exporter.send(shortLived);
    await exporter.send(longLived);
    // past its expiresAt (polled: under load the sweep can run late), still within the wait
    for (const end = Date.now() + 15_000; exporter.stats.spool.expired < 1 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(service.hits.map((h) => h.body.requestId)).toEqual([shortLived.requestId]);
    expect(exporter.pending).toBe(1);
    expect(exporter.stats.spool.expired).toBe(1);
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.hits.map((h) => h.body.requestId)).toEqual([shortLived.requestId, longLived.requestId]);
    expect(service.hits[1]!.at - service.hits[0]!.at).toBeGreaterThanOrEqual(1950);
  });

  it('parses delay-seconds and the three HTTP-date forms (RFC 9110 §5.6.7), and nothing else', () => {
    const now = Date.UTC(1994, 10, 6, 8, 49, 30);
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(7000);
    expect(parseRetryAfterMs('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(7000);
    expect(parseRetryAfterMs('Sun Nov  6 08:49:37 1994', now)).toBe(7000);
    // a date already past: no wait
    expect(parseRetryAfterMs('Sun, 06 Nov 1994 08:49:00 GMT', now)).toBe(0);
    for (const bad of [null, '', '1.5', '-1', 'soon', 'Sun, 99 Foo 1994']) expect(parseRetryAfterMs(bad, now)).toBeUndefined();
  });

  it('lengthens the backoff, never shortens it', () => {
    const opts = { baseMs: 100, maxMs: 1000, random: () => 0, retryAfterMaxMs: 5000 };
    expect(retryPauseMs(4, opts)).toBe(400);
    expect(retryPauseMs(4, opts, 100)).toBe(400);
    expect(retryPauseMs(4, opts, 2000)).toBe(2000);
    expect(retryPauseMs(4, opts, 60_000)).toBe(5000);
    expect(retryPauseMs(4, { baseMs: 100, maxMs: 1000, random: () => 0 }, 3_600_000)).toBe(300_000);
  });
});
