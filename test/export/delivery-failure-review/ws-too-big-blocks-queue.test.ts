/**
 * Found by a review of export delivery under failure, fixed since: a WebSocket close with 1009 rejects the one request it refused (several unanswered: they go one at a time until it is found) (src/export/websocket-transport.ts).
 */
// Input: a WebSocket AI service that accepts messages up to 4 KiB (ws `maxPayload`, the usual
//   guard), and three spooled items: the oldest 8 KiB (a large SDES/APP item), two small after it.
// Was: the service closes with 1009 "message too big" each time the big one arrives; the transport
//   takes the close as a transient "connection closed", retries it first again (oldest first), and
//   so every later item waits behind it until it expires (up to its retention, 24 h and more):
//   nothing is delivered, and nothing says the item is too big.
// Correct: close code 1009 (RFC 6455 §7.4.1: "a message that is too big for it to process") is the
//   WebSocket's 413: the message sent alone on that connection is refused for good — dropped and
//   reported `rejected`, as README "an AI service" does for a 413 over HTTP — and the queue moves
//   on (seed 001 §2.8: robustness against transient failures, fallback for the rest).
// Fix: src/export/websocket-transport.ts, connect()'s 'close' handler: on code 1009 settle the
//   request(s) sent on that socket as { kind: 'rejected', reason: 'WebSocket 1009 message too big' }
//   (when only one was unanswered; otherwise retry them one at a time to find the culprit).
import { describe, expect, it } from 'vitest';
import type { TelemetryExport } from '../../../src/enforce/records.js';
import { telemetryLine } from '../lines.js';
import { tempDirEachTest } from '../temp-dir.js';
import { openExporter, until, wsService } from './helpers.js';

const temp = tempDirEachTest('aipref-ws-1009-');

describe('WebSocket service closing with 1009 (message too big)', () => {
  it('drops and reports the too-big item, and delivers the ones behind it', async () => {
    const s = await wsService(undefined, { maxPayload: 4096 });
    temp.cleanups.push(s.close);
    const big: TelemetryExport = { ...telemetryLine(1), item: { pt: 204, ssrc: 1, name: 'BLOB', data: 'x'.repeat(8192) } as unknown as TelemetryExport['item'] };
    const { exporter, failures } = await openExporter(s.url, temp.dir, temp.cleanups);
    await exporter.send(big);
    await exporter.send(telemetryLine(2));
    await exporter.send(telemetryLine(3));
    const moved = await until(() => exporter.stats.delivered === 2);
    expect({ moved, delivered: exporter.stats.delivered, connections: s.connections(), rejected: failures.filter((f) => f.kind === 'rejected').map((f) => f.id) }).toEqual({
      moved: true,
      delivered: 2,
      connections: expect.any(Number),
      rejected: [big.requestId],
    });
  });
});
