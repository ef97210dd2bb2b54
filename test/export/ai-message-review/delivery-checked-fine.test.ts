/**
 * From a review of the AI-service message form (seed 001, SPEC §7): the checks that came out fine.
 *
 * PASSING checks (regression candidates) of the AI-service exporter against real local servers:
 * - HTTP: a retried request is byte-identical to the first (same requestId, same body, same
 *   x-request-id and bearer token): stable across retries of the same line.
 * - HTTP/1.0 (seed 001 §3.1 "shall work with minimum HTTP 1.0"): a raw `HTTP/1.0 200 OK` answer
 *   without Content-Length, the connection closed, acknowledges.
 * - A 2xx carrying `{"status":"error"}` with `Retry-After: 1` is retried no sooner than 1 s.
 * - WebSocket: a response for another requestId acknowledges nothing; a binary frame is
 *   ignored; "partial" acknowledges (seed 001 §3.2 "partial success"); each request one text
 *   message.
 */
import { describe, expect, it } from 'vitest';
import { createServer as createNetServer } from 'node:net';
import { WebSocketServer } from 'ws';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import type { AiServiceRequest } from '../../../src/export/ai-service-message.js';
import { aggregateLine, reportLine, telemetryLine } from '../lines.js';
import { startHttp, tempDirEachTest, wait } from './helpers.js';

const temp = tempDirEachTest('pass-');
const open = (url: string, extra: Partial<Parameters<typeof AiServiceExporter.open>[0]> = {}) =>
  AiServiceExporter.open({ url, token: 'tok', spoolDir: temp.dir, concurrency: 1, timeoutMs: 1000, backoff: { baseMs: 10, maxMs: 40 }, ...extra }).then((e) => {
    temp.cleanups.push(() => e.close());
    return e;
  });

describe('HTTP', () => {
  it('retries send the same bytes, id, x-request-id and token', async () => {
    const service = await startHttp((_h, n, res) => res.writeHead(n < 3 ? 503 : 200).end());
    temp.cleanups.push(service.close);
    const exporter = await open(`${service.url}/v1/ai`);
    for (const line of [aggregateLine(1)]) await exporter.send(line);
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.hits).toHaveLength(3);
    expect(new Set(service.hits.map((h) => h.body)).size).toBe(1);
    const id = (JSON.parse(service.hits[0]!.body) as AiServiceRequest).requestId;
    expect(id).toBe(aggregateLine(1).requestId);
    expect(service.hits.map((h) => [h.headers['x-request-id'], h.headers.authorization])).toEqual(Array(3).fill([id, 'Bearer tok']));
  });

  it('an HTTP/1.0 answer without Content-Length, connection closed, acknowledges', async () => {
    let requests = 0;
    const server = createNetServer((socket) => {
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
        const head = text.indexOf('\r\n\r\n');
        const len = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
        if (head >= 0 && text.length >= head + 4 + len) {
          requests++;
          socket.end('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"requestId":"x","status":"success"}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    temp.cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const exporter = await open(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await exporter.send(telemetryLine(1));
    await exporter.send(reportLine(2));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(requests).toBe(2);
    expect(exporter.stats).toMatchObject({ delivered: 2, retries: 0 });
  });

  it('a 2xx with status "error" and Retry-After: 1 waits the second', async () => {
    const service = await startHttp((_h, n, res) => (n === 1 ? res.writeHead(200, { 'retry-after': '1' }).end('{"requestId":"x","status":"error"}') : res.writeHead(200).end()));
    temp.cleanups.push(service.close);
    const exporter = await open(`${service.url}/`);
    await exporter.send(telemetryLine(1));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.hits).toHaveLength(2);
    expect(service.hits[1]!.at - service.hits[0]!.at).toBeGreaterThanOrEqual(950);
  });
});

describe('WebSocket acknowledgements', () => {
  it('matched by requestId: another id, a binary frame ack nothing; partial acknowledges', async () => {
    const received: { id: string; binary: boolean }[] = [];
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws) =>
      ws.on('message', (data, binary) => {
        const m = JSON.parse(data.toString()) as AiServiceRequest;
        received.push({ id: m.requestId, binary });
        if (received.length === 1) {
          ws.send(JSON.stringify({ requestId: 'not-this-one', status: 'success' }));
          ws.send(Buffer.from(JSON.stringify({ requestId: m.requestId, status: 'success' })), { binary: true });
          return; // unanswered: times out, sent again
        }
        ws.send(JSON.stringify({ requestId: m.requestId, status: 'partial' }));
      }),
    );
    temp.cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
    const failures: string[] = [];
    const exporter = await open(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, { timeoutMs: 200, onFailure: (r) => failures.push(r) });
    await exporter.send(telemetryLine(1));
    expect(await exporter.delivered(15_000)).toBe(true);
    await wait(50);
    expect(received).toEqual([{ id: telemetryLine(1).requestId, binary: false }, { id: telemetryLine(1).requestId, binary: false }]);
    expect(failures).toEqual(['no answer within 200 ms']);
    expect(exporter.stats).toMatchObject({ delivered: 1, retries: 1 });
  });
});
