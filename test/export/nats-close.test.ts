/**
 * NatsJetStreamExporter.close with a real nats-server that has gone away: the grace, then what
 * is unacknowledged is given up (counted, the sends reject) — close settles, it never waits for
 * a server that does not come back.
 */
import { describe, expect, it } from 'vitest';
import { ExporterClosedError, type ExportFailureKind, ExportOverflowError } from '../../src/export/exporter.js';
import { NatsJetStreamExporter } from '../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from './nats-server-process.js';
import { reportLine, telemetryLine } from './lines.js';

const nats = natsServerEachTest('aipref-nats-close-');

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!NATS_SERVER)('NATS JetStream exporter: close while the server is away', () => {
  it('gives up after the grace what is still unacknowledged, retrying or waiting for a PubAck, and says how many', async () => {
    // a PubAck wait longer than the whole grace: close does not sit it out
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { timeoutMs: 20_000 }));
    await exporter.send(telemetryLine(1));
    await nats.server.stop();
    // a report never expires: without a grace it would be retried for ever
    const sends = [exporter.send(reportLine(2)), exporter.send(telemetryLine(3))].map((p) => p.then(() => 'delivered', (err: unknown) => err));
    await wait(200);
    const asked = performance.now();
    await exporter.close(500);
    const tookMs = performance.now() - asked;
    expect(tookMs).toBeGreaterThanOrEqual(450);
    expect(tookMs).toBeLessThan(3500); // the grace, then at most the bounded drain
    for (const outcome of await Promise.all(sends)) expect(outcome).toBeInstanceOf(ExporterClosedError);
    expect(exporter.stats).toMatchObject({ published: 1, givenUp: 2 });
    await expect(exporter.send(reportLine(4))).rejects.toBeInstanceOf(ExporterClosedError);
    expect(exporter.stats.givenUp).toBe(2); // refused after close: never taken, not given up
  }, 20_000);

  it('keeps at most maxInFlight lines waiting while the server is away, the oldest given up first; the rest are delivered when it is back', async () => {
    const failures: ExportFailureKind[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { maxInFlight: 3, onFailure: (_reason, _id, kind) => failures.push(kind) }));
    await nats.server.stop();
    const sends = [1, 2, 3, 4, 5].map((n) => exporter.send(telemetryLine(n)).then(() => n, (err: unknown) => err));
    expect(exporter.pending).toBe(3);
    await wait(200);
    await nats.restart();
    const outcomes = await Promise.all(sends);
    expect(outcomes.slice(0, 2).every((o) => o instanceof ExportOverflowError)).toBe(true);
    expect((outcomes[0] as Error).message).toMatch(/more than 3 lines waited for delivery; the oldest was given up/);
    expect(outcomes.slice(2)).toEqual([3, 4, 5]);
    expect(exporter.stats).toMatchObject({ published: 3, overflowed: 2, givenUp: 0 });
    expect(failures.filter((k) => k === 'overflow')).toHaveLength(2);
    await exporter.close();
  }, 20_000);

  it('with the server there, close waits for what is in flight and gives up nothing', async () => {
    const exporter = await NatsJetStreamExporter.open({ servers: nats.server.url, maxRetentionSec: 3600 });
    const sends = [1, 2, 3].map((n) => exporter.send(telemetryLine(n)));
    await exporter.close(5000);
    await Promise.all(sends);
    expect(exporter.stats).toMatchObject({ published: 3, givenUp: 0 });
    // a second close is the same close
    await exporter.close();
  });
});
