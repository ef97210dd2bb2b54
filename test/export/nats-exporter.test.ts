import { afterEach, describe, expect, it } from 'vitest';
import { connect, nanos, type NatsConnection } from 'nats';
import { NatsJetStreamExporter } from '../../src/export/nats-exporter.js';
import { exportLineId } from '../../src/export/exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from './nats-server-process.js';
import { aggregateLine, reportLine, telemetryLine } from './lines.js';

const nats = natsServerEachTest('aipref-nats-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(extra: Partial<Parameters<typeof NatsJetStreamExporter.open>[0]> = {}): Promise<NatsJetStreamExporter> {
  const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, extra));
  cleanups.push(() => exporter.close(1000));
  return exporter;
}

async function observer(): Promise<NatsConnection> {
  const nc = await connect({ servers: nats.server.url });
  cleanups.push(() => nc.close());
  return nc;
}

/** Every message in the stream: subject and the message id JetStream deduplicated by. */
async function storedMessages(nc: NatsConnection, stream = 'AIPREF'): Promise<{ subject: string; msgId: string; data: unknown }[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(stream);
  const out: { subject: string; msgId: string; data: unknown }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    out.push({ subject: m.subject, msgId: m.header.get('Nats-Msg-Id'), data: m.json() });
  }
  return out;
}

const SUITE = NATS_SERVER
  ? 'NATS JetStream exporter (real nats-server)'
  : 'NATS JetStream exporter: SKIPPED because the nats-server binary is not installed (apt-get install -y nats-server)';

describe.skipIf(!NATS_SERVER)(SUITE, () => {
  it('publishes each kind on its subject, message id = requestId, into a stream whose max_age is the longest retention', async () => {
    const exporter = await open({ maxRetentionSec: 7 * 86400, duplicateWindowSec: 120 });
    const lines = [telemetryLine(1), aggregateLine(2), reportLine(3)];
    for (const l of lines) await exporter.send(l);
    const nc = await observer();
    const stored = await storedMessages(nc);
    expect(stored.map((m) => [m.subject, m.msgId])).toEqual([
      ['aipref.telemetry', exportLineId(lines[0]!)],
      ['aipref.aggregate', exportLineId(lines[1]!)],
      ['aipref.report', exportLineId(lines[2]!)],
    ]);
    expect(stored[0]!.data).toEqual(lines[0]);
    const { config } = await (await nc.jetstreamManager()).streams.info('AIPREF');
    expect(config.max_age).toBe(nanos(7 * 86400 * 1000));
    expect(config.duplicate_window).toBe(nanos(120 * 1000));
    const expiresHeader = (await (await nc.jetstreamManager()).streams.getMessage('AIPREF', { seq: 1 })).header.get('Aipref-Expires-At');
    expect(Number(expiresHeader)).toBe(lines[0]!.type === 'telemetry' ? lines[0]!.expiresAt : NaN);
    expect(exporter.stats).toMatchObject({ published: 3, duplicates: 0 });
  });

  it('a duplicate publish (same requestId, even from another enforcer) is dropped by the stream', async () => {
    const a = await open();
    const b = await open();
    await a.send(telemetryLine(1));
    await b.send(telemetryLine(1));
    await a.send(telemetryLine(1));
    expect(await storedMessages(await observer())).toHaveLength(1);
    expect(a.stats).toMatchObject({ published: 1, duplicates: 1 });
    expect(b.stats).toMatchObject({ published: 0, duplicates: 1 });
  });

  it('does not publish an item already past its expiresAt', async () => {
    let now = 1_800_000_000;
    const exporter = await open({ clock: () => now });
    await exporter.send(telemetryLine(1, { ts: now - 60, retentionSec: 30 }));
    await exporter.send(telemetryLine(2, { ts: now, retentionSec: 30 }));
    now += 1;
    const stored = await storedMessages(await observer());
    expect(stored.map((m) => m.msgId)).toEqual([telemetryLine(2, { ts: 1_800_000_000, retentionSec: 30 }).requestId]);
    expect(exporter.stats).toMatchObject({ published: 1, expired: 1 });
  });

  it('updates an existing stream to the newly configured retention', async () => {
    await open({ maxRetentionSec: 60 });
    await open({ maxRetentionSec: 900 });
    const { config } = await (await (await observer()).jetstreamManager()).streams.info('AIPREF');
    expect(config.max_age).toBe(nanos(900_000));
    expect(config.duplicate_window).toBe(nanos(600_000));
  });

  it('a server restart in the middle: publishing resumes and nothing acknowledged is lost', async () => {
    const exporter = await open();
    for (const n of [1, 2, 3, 4, 5]) await exporter.send(telemetryLine(n));
    await nats.server.stop();
    // sent while the server is away: retried until it is back
    const during = [6, 7, 8].map((n) => exporter.send(telemetryLine(n)));
    await new Promise((r) => setTimeout(r, 300));
    await nats.restart();
    await Promise.all(during);
    for (const n of [9, 10]) await exporter.send(telemetryLine(n));
    const stored = await storedMessages(await observer());
    const ids = stored.map((m) => m.msgId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => telemetryLine(n).requestId).sort());
    expect(exporter.stats.retries).toBeGreaterThan(0);
  }, 20_000);
});
