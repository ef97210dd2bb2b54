/**
 * NATS JetStream exporter with a real nats-server (test/export/nats-server-process.ts).
 * nats-exporter.ts: "An item already past its expiresAt is not published at all"; SPEC §4.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { NatsJetStreamExporter } from '../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../export/nats-server-process.js';
import { telemetryLine } from '../export/lines.js';

const nats = natsServerEachTest('aipref-delivery-nats-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function storedIds(nc: NatsConnection): Promise<{ id: string; storedAt: number }[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info('AIPREF');
  const out: { id: string; storedAt: number }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage('AIPREF', { seq }).catch(() => undefined);
    if (m) out.push({ id: m.header.get('Nats-Msg-Id'), storedAt: m.time.getTime() / 1000 });
  }
  return out;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!NATS_SERVER)('NATS JetStream while the server is away ', () => {
  it('an item whose expiresAt passes while NATS is down is never published after the reconnect', async () => {
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { backoff: { baseMs: 50, maxMs: 200 }, connection: { reconnectTimeWait: 100, timeout: 1000 } }));
    cleanups.push(() => exporter.close(500));
    await exporter.send(telemetryLine(100)); // the stream exists and works
    await nats.server.stop();
    const now = Date.now() / 1000;
    const shortLived = telemetryLine(1, { ts: now, retentionSec: 1.5 });
    const sending = exporter.send(shortLived);
    await wait(3000); // well past its expiresAt, the server still away
    expect(Date.now() / 1000).toBeGreaterThan(shortLived.expiresAt! + 1);
    await nats.restart();
    await sending;
    await wait(1500); // the client reconnects and flushes what it buffered
    const nc = await connect({ servers: nats.server.url });
    cleanups.push(() => nc.close());
    const stored = await storedIds(nc);
    const late = stored.find((m) => m.id === shortLived.requestId);
    // correct: not in the stream (it was past its expiresAt before NATS came back)
    expect(late, late ? `published at ${late.storedAt}, ${(late.storedAt - shortLived.expiresAt!).toFixed(1)} s after its expiresAt` : '').toBeUndefined();
  }, 30_000);
});
