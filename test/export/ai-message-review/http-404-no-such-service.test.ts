/**
 * A 404, 405 or 410 to the POST says the URL names no such service (a wrong `--to` path, a
 * service not deployed yet), nothing of the item: it is retried, as a WebSocket handshake
 * answered 404 is (the review of AI-service delivery noticed the two disagreed). It was
 * rejected: every item the enforcer sent while the URL was wrong was dropped for good.
 */
import { describe, expect, it } from 'vitest';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { telemetryLine } from '../lines.js';
import { startHttp, tempDirEachTest } from './helpers.js';

const temp = tempDirEachTest('h404-');

describe('an HTTP answer saying the URL names no service', () => {
  for (const status of [404, 405, 410])
    it(`${status}: retried (the item stays spooled), delivered once the service answers`, async () => {
      const service = await startHttp((_h, n, res) => res.writeHead(n <= 2 ? status : 200).end());
      temp.cleanups.push(service.close);
      const reasons: string[] = [];
      const exporter = await AiServiceExporter.open({ url: `${service.url}/v1/ai`, spoolDir: temp.dir, concurrency: 1, timeoutMs: 1000, backoff: { baseMs: 10, maxMs: 40 }, onFailure: (reason, _id, kind) => reasons.push(`${kind}: ${reason}`) });
      temp.cleanups.push(() => exporter.close());
      await exporter.send(telemetryLine(1));
      await exporter.delivered(15_000);
      expect(service.hits).toHaveLength(3);
      expect(exporter.stats).toMatchObject({ delivered: 1, rejected: 0, retries: 2 });
      expect(reasons[0]).toBe(`retry: HTTP ${status}: the URL names no such service (is --to right?)`);
    });

  it('another 4xx (400) still rejects the item: the request itself is wrong', async () => {
    const service = await startHttp((_h, _n, res) => res.writeHead(400).end());
    temp.cleanups.push(service.close);
    const exporter = await AiServiceExporter.open({ url: `${service.url}/v1/ai`, spoolDir: temp.dir, concurrency: 1, timeoutMs: 1000, backoff: { baseMs: 10, maxMs: 40 } });
    temp.cleanups.push(() => exporter.close());
    await exporter.send(telemetryLine(1));
    await exporter.delivered(15_000);
    expect(service.hits).toHaveLength(1);
    expect(exporter.stats).toMatchObject({ delivered: 0, rejected: 1 });
  });
});
