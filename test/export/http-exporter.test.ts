import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { AiServiceExporter, ExporterUrlError } from '../../src/export/http-exporter.js';
import type { AiServiceRequest } from '../../src/export/ai-service-message.js';
import { exportLineId } from '../../src/export/exporter.js';
import { backoffDelayMs } from '../../src/export/backoff.js';
import { aggregateLine, reportLine, telemetryLine } from './lines.js';

interface Received {
  authorization: string | undefined;
  contentType: string | undefined;
  body: AiServiceRequest;
}

type Answer = (req: Received, n: number, res: ServerResponse) => void;

/** A real HTTP server on loopback; `answer` decides each response (n counts requests from 1). */
async function startService(answer: Answer = (_r, _n, res) => res.writeHead(200).end('{}'), port = 0): Promise<{ port: number; received: Received[]; server: Server; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { authorization: req.headers.authorization, contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString()) as AiServiceRequest };
      received.push(r);
      answer(r, received.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    received,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function freePort(): Promise<number> {
  const s = await startService();
  await s.close();
  return s.port;
}

let dir: string;
const cleanups: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aipref-spool-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await rm(dir, { recursive: true, force: true });
});

const FAST_BACKOFF = { baseMs: 10, maxMs: 80 };

async function open(url: string, extra: Partial<Parameters<typeof AiServiceExporter.open>[0]> = {}): Promise<AiServiceExporter> {
  // One delivery at a time unless a test asks for more: the order of arrival is then exact.
  const exporter = await AiServiceExporter.open({ url, token: 'tok-123', spoolDir: dir, backoff: FAST_BACKOFF, timeoutMs: 1000, concurrency: 1, ...extra });
  cleanups.push(() => exporter.close());
  return exporter;
}

async function spoolText(): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('segment-'));
  const texts = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
  return texts.join('');
}

describe('AI service exporter over HTTP POST', () => {
  it('delivers telemetry, aggregates and reports in the seed 001 request form with the bearer token', async () => {
    const service = await startService();
    cleanups.push(service.close);
    const exporter = await open(`http://127.0.0.1:${service.port}/v1/ai`);
    const lines = [telemetryLine(1), aggregateLine(2), reportLine(3)];
    for (const l of lines) await exporter.send(l);
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.received.map((r) => r.body.requestId)).toEqual(lines.map(exportLineId));
    const first = service.received[0]!;
    expect(first.authorization).toBe('Bearer tok-123');
    expect(first.contentType).toBe('application/json');
    expect(first.body).toMatchObject({
      contentType: 'application/json',
      session: { sessionId: 'call-1@example.org', dialog: { callId: 'call-1@example.org' }, stream: { ssrc: 0x1235 }, serviceContext: 'aipref-enforcer' },
      task: { type: 'aipref-telemetry', apt: ['apt-raw'] },
      expiresAt: lines[0]!.type === 'telemetry' ? lines[0]!.expiresAt : null,
      payload: lines[0],
    });
    expect(service.received[2]!.body.task.type).toBe('aipref-report');
    expect(exporter.stats).toMatchObject({ attempts: 3, delivered: 3, retries: 0 });
    // delivered items leave the disk
    expect(await spoolText()).toBe('');
  });

  it('retries after a 500 and delivers once the service answers 2xx', async () => {
    const service = await startService((_r, n, res) => res.writeHead(n === 1 ? 500 : 204).end());
    cleanups.push(service.close);
    const failures: string[] = [];
    const exporter = await open(`http://127.0.0.1:${service.port}/`, { onFailure: (reason) => failures.push(reason) });
    await exporter.send(telemetryLine(1));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.received.map((r) => r.body.requestId)).toEqual([exportLineId(telemetryLine(1)), exportLineId(telemetryLine(1))]);
    expect(failures).toEqual(['HTTP 500']);
    expect(exporter.stats).toMatchObject({ attempts: 2, delivered: 1, retries: 1 });
  });

  it('drops what the service refuses for good (400) instead of retrying it', async () => {
    const service = await startService((r, _n, res) => res.writeHead(r.body.task.type === 'aipref-report' ? 400 : 200).end());
    cleanups.push(service.close);
    const exporter = await open(`http://127.0.0.1:${service.port}/`);
    await exporter.send(reportLine(1));
    await exporter.send(telemetryLine(2));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.received).toHaveLength(2);
    expect(exporter.stats).toMatchObject({ rejected: 1, delivered: 1, retries: 0 });
  });

  it('spools while the service is down and drains in order once it is up', async () => {
    const port = await freePort();
    const exporter = await open(`http://127.0.0.1:${port}/`);
    const lines = [1, 2, 3, 4, 5].map((n) => telemetryLine(n));
    for (const l of lines) await exporter.send(l);
    // (polled: the first tries may be late under load)
    for (const end = Date.now() + 15_000; exporter.stats.retries === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(exporter.stats.retries).toBeGreaterThan(0);
    expect(exporter.pending).toBe(5);
    expect((await spoolText()).trim().split('\n')).toHaveLength(5);
    const service = await startService(undefined, port);
    cleanups.push(service.close);
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.received.map((r) => r.body.requestId)).toEqual(lines.map(exportLineId));
  });

  it('gives up on a request the service does not answer in time and retries it', async () => {
    const held: ServerResponse[] = [];
    const service = await startService((_r, n, res) => (n === 1 ? held.push(res) : res.writeHead(200).end()));
    cleanups.push(async () => {
      for (const res of held) res.destroy();
      await service.close();
    });
    const failures: string[] = [];
    const exporter = await open(`http://127.0.0.1:${service.port}/`, { timeoutMs: 150, onFailure: (r) => failures.push(r) });
    const started = performance.now();
    await exporter.send(telemetryLine(1));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(failures).toEqual(['no answer within 150 ms']);
    expect(service.received).toHaveLength(2);
  });

  it('deletes an item whose expiresAt passes while it waits, and never sends it', async () => {
    let now = 1_700_000_000;
    const port = await freePort();
    const failures: string[] = [];
    const exporter = await open(`http://127.0.0.1:${port}/`, { spool: { clock: () => now }, expirySweepMs: 20, onFailure: (r, id, kind) => kind !== 'retry' && failures.push(`${kind} ${id} ${r}`) });
    const shortLived = telemetryLine(1, { ts: now, retentionSec: 30 });
    const longLived = telemetryLine(2, { ts: now, retentionSec: 3600 });
    await exporter.send(shortLived);
    await exporter.send(longLived);
    await new Promise((r) => setTimeout(r, 60));
    expect(await spoolText()).toContain(shortLived.requestId);
    now += 31;
    // (polled: a sweep every 20 ms, late under load; it drops the item from memory first, then
    // rewrites its segment on disk, so the file is polled too)
    for (const end = Date.now() + 15_000; (exporter.pending !== 1 || (await spoolText()).includes(shortLived.requestId)) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(exporter.pending).toBe(1);
    const onDisk = await spoolText();
    expect(onDisk).not.toContain(shortLived.requestId);
    expect(onDisk).toContain(longLived.requestId);
    const service = await startService(undefined, port);
    cleanups.push(service.close);
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.received.map((r) => r.body.requestId)).toEqual([longLived.requestId]);
    expect(exporter.stats.spool.expired).toBe(1);
    // an item that arrives already expired is not even spooled
    await exporter.send(telemetryLine(3, { ts: now - 100, retentionSec: 10 }));
    expect(exporter.pending).toBe(0);
    expect(exporter.stats.spool.expired).toBe(2);
    // both left undelivered: told to the failure listener (the live service's metric and log)
    expect(failures).toEqual([`expired ${shortLived.requestId} expired before it was delivered`, `expired ${telemetryLine(3).requestId} expired before it was delivered`]);
  });

  it('tells the failure listener of each item the spool pushes out past its limit, oldest first', async () => {
    const port = await freePort();
    const failures: string[] = [];
    const exporter = await open(`http://127.0.0.1:${port}/`, { spool: { maxItems: 2 }, onFailure: (r, id, kind) => kind !== 'retry' && failures.push(`${kind} ${id} ${r}`) });
    for (const n of [1, 2, 3, 4]) await exporter.send(telemetryLine(n));
    expect(exporter.pending).toBe(2);
    expect(failures).toEqual([1, 2].map((n) => `overflow ${telemetryLine(n).requestId} more than 2 items waited in the spool; the oldest was given up`));
    const service = await startService(undefined, port);
    cleanups.push(service.close);
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.received.map((r) => r.body.requestId)).toEqual([3, 4].map((n) => telemetryLine(n).requestId));
  });

  it('after a restart delivers what the last run left, and never resends what was acknowledged', async () => {
    const port = await freePort();
    const first = await AiServiceExporter.open({ url: `http://127.0.0.1:${port}/`, spoolDir: dir, backoff: FAST_BACKOFF, concurrency: 1 });
    for (const n of [1, 2, 3]) await first.send(telemetryLine(n));
    await first.close();
    expect((await spoolText()).trim().split('\n')).toHaveLength(3);

    const service = await startService(undefined, port);
    cleanups.push(service.close);
    const second = await AiServiceExporter.open({ url: `http://127.0.0.1:${port}/`, spoolDir: dir, backoff: FAST_BACKOFF, concurrency: 1 });
    expect(second.pending).toBe(3);
    expect(await second.delivered(15_000)).toBe(true);
    // the producer replays and sends line 2 again: it was acknowledged, so it is not sent
    await second.send(telemetryLine(2));
    await second.close();

    const third = await open(`http://127.0.0.1:${port}/`);
    await third.send(telemetryLine(3));
    await third.send(telemetryLine(4));
    expect(await third.delivered(15_000)).toBe(true);
    expect(service.received.map((r) => r.body.requestId)).toEqual([1, 2, 3, 4].map((n) => telemetryLine(n).requestId));
    expect(third.stats.spool.duplicates).toBe(1);
  });

  it('keeps several requests in flight, each item delivered exactly once, and pauses all of them on failures', async () => {
    let inFlight = 0;
    let peak = 0;
    const service = await startService((_r, n, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(n % 50 === 7 ? 503 : 200).end();
      }, 5);
    });
    cleanups.push(service.close);
    const exporter = await open(`http://127.0.0.1:${service.port}/`, { concurrency: 8 });
    const lines = Array.from({ length: 300 }, (_, n) => telemetryLine(n));
    await Promise.all(lines.map((l) => exporter.send(l)));
    expect(await exporter.delivered(10_000)).toBe(true);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(8);
    const acknowledged = service.received.filter((_r, i) => (i + 1) % 50 !== 7).map((r) => r.body.requestId);
    expect(acknowledged.sort()).toEqual(lines.map((l) => l.requestId).sort());
    expect(exporter.stats.retries).toBe(service.received.length - 300);
  });

  it('refuses a URL that is neither HTTP nor WebSocket', async () => {
    await expect(AiServiceExporter.open({ url: 'ftp://127.0.0.1/', spoolDir: dir })).rejects.toThrow(ExporterUrlError);
  });
});

describe('AI service exporter over WebSocket', () => {
  async function startWsService(answer: (msg: AiServiceRequest, n: number, ws: WebSocket) => void): Promise<{ port: number; received: AiServiceRequest[]; authorizations: (string | undefined)[]; close(): Promise<void> }> {
    const received: AiServiceRequest[] = [];
    const authorizations: (string | undefined)[] = [];
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (ws, req) => {
      authorizations.push(req.headers.authorization);
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as AiServiceRequest;
        received.push(msg);
        answer(msg, received.length, ws);
      });
    });
    return {
      port: (wss.address() as { port: number }).port,
      received,
      authorizations,
      close: () =>
        new Promise<void>((resolve) => {
          for (const c of wss.clients) c.terminate();
          wss.close(() => resolve());
        }),
    };
  }

  it('sends each request as a message, takes the response with the same requestId as the acknowledgement, retries on status error', async () => {
    const service = await startWsService((msg, n, ws) => ws.send(JSON.stringify({ requestId: msg.requestId, status: n === 2 ? 'error' : 'success' })));
    cleanups.push(service.close);
    const exporter = await open(`ws://127.0.0.1:${service.port}/ai`);
    for (const n of [1, 2, 3]) await exporter.send(telemetryLine(n));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.received.map((m) => m.requestId)).toEqual([1, 2, 2, 3].map((n) => telemetryLine(n).requestId));
    expect(service.authorizations).toEqual(['Bearer tok-123']);
    expect(exporter.stats).toMatchObject({ delivered: 3, retries: 1 });
  });

  it('reconnects after the service drops the connection, and resends what was unanswered', async () => {
    const service = await startWsService((msg, n, ws) => (n === 2 ? ws.terminate() : ws.send(JSON.stringify({ requestId: msg.requestId, status: 'success' }))));
    cleanups.push(service.close);
    const exporter = await open(`ws://127.0.0.1:${service.port}/ai`);
    for (const n of [1, 2, 3]) await exporter.send(telemetryLine(n));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(service.received.map((m) => m.requestId)).toEqual([1, 2, 2, 3].map((n) => telemetryLine(n).requestId));
    expect(service.authorizations).toHaveLength(2);
  });

  it('a handshake refused with 401 keeps the items spooled, logs once for the episode, and delivers once the service accepts the token', async () => {
    let refuse = true;
    let handshakes = 0;
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, done) => {
        handshakes++;
        done(!refuse, 401);
      },
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(JSON.stringify({ requestId: (JSON.parse(data.toString()) as AiServiceRequest).requestId, status: 'success' }))));
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }));
    const failures: string[] = [];
    const exporter = await open(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, { onFailure: (r) => failures.push(r) });
    for (const n of [1, 2]) await exporter.send(telemetryLine(n));
    // the client's count: the server counts a handshake before the client has read its 401
    while (exporter.stats.unauthorized < 3) await new Promise((r) => setTimeout(r, 10));
    expect(exporter.stats.delivered).toBe(0);
    expect(handshakes).toBeGreaterThanOrEqual(3);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/HTTP 401.*credentials/);
    refuse = false;
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(exporter.stats.delivered).toBe(2);
  });

  it('times out an unanswered request', async () => {
    const service = await startWsService((msg, n, ws) => {
      if (n > 1) ws.send(JSON.stringify({ requestId: msg.requestId, status: 'success' }));
    });
    cleanups.push(service.close);
    const failures: string[] = [];
    const exporter = await open(`ws://127.0.0.1:${service.port}/`, { timeoutMs: 100, onFailure: (r) => failures.push(r) });
    await exporter.send(aggregateLine(1));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(failures).toEqual(['no answer within 100 ms']);
  });
});

describe('backoff', () => {
  it('doubles up to the ceiling, with half of each delay random', () => {
    const at = (attempt: number, r: number): number => backoffDelayMs(attempt, { baseMs: 100, maxMs: 1000, random: () => r });
    expect([1, 2, 3, 4, 5].map((a) => at(a, 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((a) => at(a, 0.999999)).map(Math.round)).toEqual([100, 200, 400, 800, 1000]);
  });
});
