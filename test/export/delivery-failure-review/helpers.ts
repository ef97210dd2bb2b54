/** Real loopback services for the delivery-failure review (node:http, ws), recording every hit. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import type { ExportFailureKind } from '../../../src/export/exporter.js';

export interface Hit {
  /** wall clock, ms */
  wall: number;
  /** monotonic, ms */
  at: number;
  requestId: string;
  header: string | undefined;
  method: string;
  url: string;
}

export type HttpAnswer = (req: IncomingMessage, res: ServerResponse, n: number, hit: Hit) => void;

export async function httpService(answer: HttpAnswer, port = 0): Promise<{ url: string; port: number; hits: Hit[]; server: Server; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let requestId = '';
      try {
        requestId = (JSON.parse(Buffer.concat(chunks).toString()) as { requestId: string }).requestId;
      } catch {
        /* a GET */
      }
      const hit: Hit = { wall: Date.now(), at: performance.now(), requestId, header: req.headers['x-request-id'] as string | undefined, method: req.method ?? '', url: req.url ?? '' };
      hits.push(hit);
      answer(req, res, hits.length, hit);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const p = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${p}/ingest`,
    port: p,
    hits,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function freePort(): Promise<number> {
  const s = await httpService((_q, res) => res.end());
  await s.close();
  return s.port;
}

export interface WsHit {
  at: number;
  requestId: string;
  connection: number;
}

/** A ws service; `onMessage` decides (default: answers success). */
export async function wsService(
  onMessage: (socket: WebSocket, requestId: string, n: number, connection: number) => void = (s, id) => s.send(JSON.stringify({ requestId: id, status: 'success' })),
  opts: { port?: number; maxPayload?: number } = {},
): Promise<{ url: string; port: number; hits: WsHit[]; connections: () => number; close(): Promise<void> }> {
  const hits: WsHit[] = [];
  let connections = 0;
  const wss = new WebSocketServer({ port: opts.port ?? 0, host: '127.0.0.1', ...(opts.maxPayload !== undefined && { maxPayload: opts.maxPayload }) });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (socket) => {
    const connection = ++connections;
    socket.on('error', () => {});
    socket.on('message', (data) => {
      const requestId = (JSON.parse(data.toString()) as { requestId: string }).requestId;
      hits.push({ at: performance.now(), requestId, connection });
      onMessage(socket, requestId, hits.length, connection);
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/ai`,
    port,
    hits,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

export interface Failure {
  reason: string;
  id: string;
  kind: ExportFailureKind;
}

export async function openExporter(
  url: string,
  spoolDir: string,
  cleanups: (() => Promise<void>)[],
  extra: Partial<Parameters<typeof AiServiceExporter.open>[0]> = {},
): Promise<{ exporter: AiServiceExporter; failures: Failure[] }> {
  const failures: Failure[] = [];
  const exporter = await AiServiceExporter.open({
    url,
    token: 'tok',
    spoolDir,
    concurrency: 1,
    timeoutMs: 1000,
    backoff: { baseMs: 20, maxMs: 100, random: () => 0 },
    onFailure: (reason, id, kind) => failures.push({ reason, id, kind }),
    ...extra,
  });
  cleanups.push(() => exporter.close());
  return { exporter, failures };
}

export const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether `cond` came to hold within `ms` (polled; generous: the suite runs under heavy load). */
export async function until(cond: () => boolean, ms = 15_000): Promise<boolean> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) return false;
    await wait(10);
  }
  return true;
}
