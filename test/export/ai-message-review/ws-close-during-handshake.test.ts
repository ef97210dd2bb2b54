/**
 * Found by a review of the AI-service message form and its delivery (seed 001), fixed since.
 *
 * Input: `AiServiceExporter` over a WebSocket (`live --to ws://…`), timeoutMs 2000, one
 * telemetry item spooled; the service (a real `ws` WebSocketServer) takes 500 ms to accept the
 * handshake; `close()` (what `live` does on SIGTERM) is called 100 ms in, while the handshake is
 * still pending.
 *
 * Was: close() does not cut the pending handshake short: the request is sent anyway once the
 * handshake completes (the service received it ~408 ms after close() was called), then close()
 * waits out the whole acknowledgement timeout with its abort signal already fired — it took
 * 2410 ms (handshake rest + timeoutMs). With the defaults (timeoutMs 5000, also the handshake
 * timeout) a stop can hang ~10 s, and the request sent after close is never acknowledged in the
 * spool (close already ignores outcomes), so the next start sends it a second time.
 *
 * Correct: close() "stops delivering (an unanswered request is abandoned and stays spooled)"
 * (http-exporter.ts close() doc): nothing is sent after close() was called, and close() returns
 * promptly (well under timeoutMs) — as over HTTP, where the abort signal cancels fetch at once.
 *
 * Fix: src/export/websocket-transport.ts, WebSocketTransport.deliver: race connect() against
 * the abort signal (and check `signal.aborted` before `socket.send`, resolving
 * `{kind:'retry', reason:'aborted'}`); close(): terminate a socket still connecting
 * (keep it in a field and `terminate()` it).
 */
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { telemetryLine } from '../lines.js';
import { tempDirEachTest, wait } from './helpers.js';

const temp = tempDirEachTest('ws-close-');

describe('close() while the WebSocket handshake is pending', () => {
  it('sends nothing after close and returns promptly', async () => {
    const received: number[] = [];
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: (_i, done) => setTimeout(() => done(true), 500) });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws) => ws.on('message', () => received.push(performance.now())));
    temp.cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
    const exporter = await AiServiceExporter.open({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, token: 't', spoolDir: temp.dir, concurrency: 1, timeoutMs: 2000, backoff: { baseMs: 10, maxMs: 40 } });
    await exporter.send(telemetryLine(1));
    await wait(100);
    const closing = performance.now();
    await exporter.close();
    const took = performance.now() - closing;
    await wait(600); // past the handshake's answer
    expect(received.filter((t) => t >= closing)).toEqual([]);
    expect(took).toBeLessThan(1000);
  });
});
