/** Shared by this folder's tests: a temp dir under /tmp/review-ai-message, cleanups, real servers. */
import { afterEach, beforeEach } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

export const BASE = '/tmp/review-ai-message';

export function tempDirEachTest(prefix: string): { readonly dir: string; readonly cleanups: (() => Promise<void>)[] } {
  const temp = { dir: '', cleanups: [] as (() => Promise<void>)[] };
  beforeEach(async () => {
    await mkdir(BASE, { recursive: true });
    temp.dir = await mkdtemp(join(BASE, prefix));
  });
  afterEach(async () => {
    for (const c of temp.cleanups.splice(0).reverse()) await c();
    await rm(temp.dir, { recursive: true, force: true });
  });
  return temp;
}

export interface Hit {
  at: number;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A node:http server on loopback recording every request (method, path, headers, body). */
export async function startHttp(answer: (hit: Hit, n: number, res: ServerResponse) => void): Promise<{ url: string; port: number; hits: Hit[]; server: Server; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit: Hit = { at: performance.now(), method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      hits.push(hit);
      answer(hit, hits.length, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
