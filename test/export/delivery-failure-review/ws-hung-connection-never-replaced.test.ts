/**
 * Found by a review of export delivery under failure, fixed since: a request unanswered past the timeout ends its connection, so the next one reconnects (src/export/websocket-transport.ts deliverNow).
 */
// Input: a WebSocket AI service whose first connection hangs (the TCP connection stays up, nothing
//   is answered: a stuck worker, a half-open path through a proxy) while a new connection would be
//   served normally (another worker behind the same URL).
// Was: every request times out ("no answer within 300 ms") and is retried on the same hung
//   connection, forever: nothing is ever delivered until the kernel notices the connection is dead
//   (never, while the peer keeps it open), and the items expire in the spool.
// Correct: a request unanswered past --timeout means the connection cannot be trusted; over HTTP a
//   timeout ends that connection and the next request gets a fresh one. Seed 001 §2.8 asks for
//   robustness against transient network or service failures; README "an AI service" promises
//   retries until acknowledged. After a timeout (or a few), the WebSocket should be dropped and
//   reopened (or probed with a Ping, RFC 6455 §5.5.2, and dropped when no Pong comes).
// Fix: src/export/websocket-transport.ts, deliver()'s timeout: terminate the socket the request
//   went out on (its 'close' settles the others as retries), so the next request reconnects.
import { describe, expect, it } from 'vitest';
import { telemetryLine } from '../lines.js';
import { tempDirEachTest } from '../temp-dir.js';
import { openExporter, until, wsService } from './helpers.js';

const temp = tempDirEachTest('aipref-ws-hung-');

describe('WebSocket connection that stops answering', () => {
  it('is replaced after a timeout, and the item is delivered on a fresh connection', async () => {
    // connection 1 swallows everything; later connections answer
    const s = await wsService((socket, id, _n, connection) => {
      if (connection > 1) socket.send(JSON.stringify({ requestId: id, status: 'success' }));
    });
    temp.cleanups.push(s.close);
    const { exporter } = await openExporter(s.url, temp.dir, temp.cleanups, { timeoutMs: 300 });
    await exporter.send(telemetryLine(1));
    const delivered = await until(() => exporter.stats.delivered === 1);
    expect({ delivered, connections: s.connections() >= 2 }).toEqual({ delivered: true, connections: true });
  });
});
