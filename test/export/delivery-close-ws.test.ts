/**
 * Spool compaction at the exporter's close, WebSocket handshake 401 episodes.
 */
import { describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { AiServiceExporter } from '../../src/export/http-exporter.js';
import type { AiServiceRequest } from '../../src/export/ai-service-message.js';
import { DiskSpool } from '../../src/export/spool.js';
import { telemetryLine } from './lines.js';
import { tempDirEachTest } from './temp-dir.js';

const temp = tempDirEachTest('aipref-delivery-close-');
const cleanups = temp.cleanups;

async function spoolText(): Promise<string> {
  const names = (await readdir(temp.dir)).filter((n) => n.startsWith('segment-'));
  return (await Promise.all(names.map((n) => readFile(join(temp.dir, n), 'utf8')))).join('');
}

describe('spool compaction at close', () => {
  it('an item acknowledged just before close leaves the disk; one whose answer is in flight stays, once, and is the only one taken up again', async () => {
    const held: ServerResponse[] = [];
    let n = 0;
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        n++;
        if (n === 1) res.writeHead(200).end('{}');
        else held.push(res); // the answer is still on its way when the exporter closes
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const port = (server.address() as { port: number }).port;
    const exporter = await AiServiceExporter.open({ url: `http://127.0.0.1:${port}/`, spoolDir: temp.dir, concurrency: 1, timeoutMs: 5000, backoff: { baseMs: 10, maxMs: 50 } });
    await exporter.send(telemetryLine(1));
    await exporter.send(telemetryLine(2));
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    const closing = exporter.close();
    setTimeout(() => held[0]?.writeHead(200).end('{}'), 5);
    await closing;
    const text = await spoolText();
    expect(text).not.toContain(telemetryLine(1).requestId);
    expect(text.split("\n").filter((l) => l.includes(telemetryLine(2).requestId))).toHaveLength(1);
    expect((await readdir(temp.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = await DiskSpool.open(temp.dir);
    expect(again.size).toBe(1);
  });
});

describe('WebSocket handshake refusals', () => {
  it('401, then the service accepts (episode ends), then 401 again: logged once per episode, everything delivered', async () => {
    let refuse = true;
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, done) => done(!refuse, 401),
    });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(JSON.stringify({ requestId: (JSON.parse(data.toString()) as AiServiceRequest).requestId, status: 'success' }))));
    cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
    const failures: string[] = [];
    const exporter = await AiServiceExporter.open({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, token: 't', spoolDir: temp.dir, concurrency: 4, timeoutMs: 1000, backoff: { baseMs: 10, maxMs: 80 }, onFailure: (r) => failures.push(r) });
    cleanups.push(() => exporter.close());
    for (const i of [1, 2, 3, 4, 5]) await exporter.send(telemetryLine(i));
    while (exporter.stats.unauthorized < 3) await new Promise((r) => setTimeout(r, 5));
    refuse = false;
    expect(await exporter.delivered(15_000)).toBe(true);
    // token revoked: the service drops the connection and refuses the next handshake
    refuse = true;
    for (const c of wss.clients) c.close(1008, 'token revoked');
    await new Promise((r) => setTimeout(r, 50));
    for (const i of [6, 7]) await exporter.send(telemetryLine(i));
    const before = exporter.stats.unauthorized;
    while (exporter.stats.unauthorized < before + 2) await new Promise((r) => setTimeout(r, 5));
    refuse = false;
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(exporter.stats.delivered).toBe(7);
    expect(failures.filter((f) => /401/.test(f))).toHaveLength(2);
    expect(failures.filter((f) => !/401/.test(f))).toEqual([]);
    expect(wss.clients.size).toBeLessThanOrEqual(1);
  });

  it('a 401 with Retry-After: 1 holds the next handshake back about a second', async () => {
    const times: number[] = [];
    const server = createServer();
    server.on('upgrade', (_req, socket) => {
      // the client may reset the connection it was refused on before the 401 is read: an
      // upgraded socket has no error listener of its own (an ECONNRESET failed a CI run)
      socket.on('error', () => {});
      times.push(performance.now());
      socket.end('HTTP/1.1 401 Unauthorized\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const exporter = await AiServiceExporter.open({ url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/`, token: 't', spoolDir: temp.dir, concurrency: 1, timeoutMs: 1000, backoff: { baseMs: 10, maxMs: 80 } });
    cleanups.push(() => exporter.close());
    await exporter.send(telemetryLine(1));
    while (times.length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
  }, 10_000);
});
