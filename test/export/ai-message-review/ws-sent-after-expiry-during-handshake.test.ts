/**
 * Found by a review of the AI-service message form and its delivery (seed 001), fixed since.
 *
 * Input: `AiServiceExporter` over a WebSocket (`live --to ws://…`), one telemetry item whose
 * retention is 0.3 s (expiresAt = now + 0.3), the service (a real `ws` WebSocketServer,
 * acknowledging every request) taking 800 ms to accept the handshake (a loaded service, or a
 * reconnect after the connection dropped).
 *
 * Was: the item is picked from the spool while still valid, then waits for the handshake and is
 * sent as soon as it completes: the service received it 0.513 s after its expiresAt, and it was
 * counted delivered (stats `{"attempts":1,"delivered":1,…,"expired":0…}`).
 *
 * Correct: SPEC §4 "The enforcer itself keeps nothing past retention (windows, spools and
 * retries included)" and README "Exporters": "what expires in the spool is deleted, never
 * sent". An item whose expiresAt passed while its connection was being set up must not be
 * sent: it expires in the spool (counted `expired`), and the service never sees it.
 *
 * Fix: src/export/websocket-transport.ts deliver() (or http-exporter.ts run()/deliver): check
 * the item's expiresAt again after connect() resolves and right before `socket.send` (pass
 * expiresAt, or a `stillValid()` callback, into DeliveryTransport.deliver); on expiry return an
 * outcome that makes the pump let the spool expire it.
 */
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import type { AiServiceRequest } from '../../../src/export/ai-service-message.js';
import { telemetryLine } from '../lines.js';
import { tempDirEachTest, wait } from './helpers.js';

const temp = tempDirEachTest('ws-expiry-');

describe('an item that expires while the WebSocket handshake is pending', () => {
  it('is never sent', async () => {
    const received: { at: number; expiresAt: number }[] = [];
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: (_i, done) => setTimeout(() => done(true), 800) });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws) =>
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as AiServiceRequest;
        received.push({ at: Date.now() / 1000, expiresAt: m.expiresAt! });
        ws.send(JSON.stringify({ requestId: m.requestId, status: 'success' }));
      }),
    );
    temp.cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
    const exporter = await AiServiceExporter.open({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, token: 't', spoolDir: temp.dir, concurrency: 1, timeoutMs: 2000, expirySweepMs: 50, backoff: { baseMs: 10, maxMs: 40 } });
    temp.cleanups.push(() => exporter.close());
    await exporter.send(telemetryLine(1, { retentionSec: 0.3 }));
    await wait(1200);
    expect(received.filter((r) => r.at >= r.expiresAt)).toEqual([]);
    expect(exporter.stats.delivered).toBe(0);
    expect(exporter.stats.spool.expired).toBe(1);
  });
});
