/**
 * A real node:http AI service on loopback for the exporter tests (seed 001's POST of one
 * request): every request is recorded (when, its bearer token, its body) and answered by the
 * test's `answer`, given the request and how many came so far.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AiServiceRequest } from '../../src/export/ai-service-message.js';

export interface AiServiceHit {
  at: number;
  authorization: string | undefined;
  body: AiServiceRequest;
}

export async function startAiService(
  answer: (hit: AiServiceHit, n: number, res: ServerResponse) => void,
  path = '/',
): Promise<{ url: string; hits: AiServiceHit[]; close(): Promise<void> }> {
  const hits: AiServiceHit[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { at: performance.now(), authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) as AiServiceRequest };
      hits.push(hit);
      answer(hit, hits.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
