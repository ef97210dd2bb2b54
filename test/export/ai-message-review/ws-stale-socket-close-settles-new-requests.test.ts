/**
 * Found by a review of the AI-service message form and its delivery (seed 001), fixed since.
 *
 * Input: `AiServiceExporter` over a WebSocket, concurrency 2, against a real `ws`
 * WebSocketServer. On the first connection the service answers request A with a close frame
 * (1000) and holds the TCP connection open 600 ms before dropping it (a service draining for
 * a restart); request B, spooled 100 ms later, goes out on a second connection (the first is
 * CLOSING), where the service acknowledges each request 1 s after it arrives.
 *
 * Was: when the first socket finally closes, its 'close' handler settles every waiting request
 * of the transport — B's too, though B was sent on the second, healthy connection: failures
 * `["<A> connection closed","<B> connection closed"]`, and the service received
 * `["1:A","2:B","2:A","2:B"]` (connection:request) — B twice on the same connection.
 *
 * Correct: an acknowledgement (or its absence) is matched to the request on the connection it
 * was sent on (seed 001 §3.2: "The original request identifier for matching responses to
 * requests"; README: "A dropped connection makes every unanswered request a retry" — the
 * requests unanswered on *that* connection). B, unanswered only because its answer is still
 * due, is sent once: the service receives `["1:A","2:B","2:A"]`, and only A is a retry.
 *
 * Fix: src/export/websocket-transport.ts: keep the waiting map per socket (e.g. a
 * Map<WebSocket, Map<requestId, finish>>, or record the socket with each waiter) and have a
 * socket's 'close' settle only the requests sent on it.
 */
import { describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Socket } from 'node:net';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import type { AiServiceRequest } from '../../../src/export/ai-service-message.js';
import { telemetryLine } from '../lines.js';
import { tempDirEachTest, wait } from './helpers.js';

const temp = tempDirEachTest('ws-stale-');

describe("one connection's close", () => {
  it('does not settle requests sent on the next connection', async () => {
    const A = telemetryLine(1).requestId;
    const B = telemetryLine(2).requestId;
    const name = (id: string) => (id === A ? 'A' : id === B ? 'B' : id);
    const received: string[] = [];
    let connections = 0;
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws: WebSocket) => {
      const connection = ++connections;
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as AiServiceRequest;
        received.push(`${connection}:${name(m.requestId)}`);
        if (connection === 1) {
          // a close frame (1000), then the TCP connection held open 600 ms before it drops
          const raw = (ws as unknown as { _socket: Socket })._socket;
          raw.write(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
          raw.pause();
          setTimeout(() => raw.destroy(), 600);
          return;
        }
        setTimeout(() => ws.send(JSON.stringify({ requestId: m.requestId, status: 'success' })), 1000);
      });
    });
    temp.cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
    const failures: string[] = [];
    const exporter = await AiServiceExporter.open({
      url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, token: 't', spoolDir: temp.dir, concurrency: 2, timeoutMs: 3000,
      backoff: { baseMs: 10, maxMs: 40 }, onFailure: (reason, id) => failures.push(`${name(id)} ${reason}`),
    });
    temp.cleanups.push(() => exporter.close());
    await exporter.send(telemetryLine(1));
    await wait(100);
    await exporter.send(telemetryLine(2));
    expect(await exporter.delivered(15_000)).toBe(true);
    expect(failures).toEqual(['A connection closed']);
    expect(received).toEqual(['1:A', '2:B', '2:A']);
  });
});
