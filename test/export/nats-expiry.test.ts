/**
 * The NATS exporter deletes each message it stored at the line's own expiresAt (SPEC §3
 * retention, §4 "keeps nothing past retention"), not at the stream's one max_age; a real
 * nats-server (2.9 here: no per-message TTL). src/export/nats-expiry.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { NatsJetStreamExporter } from '../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from './nats-server-process.js';
import { telemetryLine } from './lines.js';

const nats = natsServerEachTest('aipref-nats-expiry-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `cond` holds or `ms` pass (the suite runs under heavy load: deletes can be late by seconds). */
async function until(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !(await cond()) && Date.now() < end; ) await wait(50);
}
const sameIds = async (nc: NatsConnection, want: string[]) => JSON.stringify((await storedIds(nc)).sort()) === JSON.stringify([...want].sort());

async function storedIds(nc: NatsConnection): Promise<string[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info('AIPREF');
  const out: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage('AIPREF', { seq }).catch(() => undefined);
    if (m) out.push(m.header.get('Nats-Msg-Id'));
  }
  return out;
}

describe.skipIf(!NATS_SERVER)('NATS: stored messages go at their own expiresAt', () => {
  it('lines of 1 s and 3 s retention leave the stream when each expires; an hour-long one and a report stay', async () => {
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { maxRetentionSec: 3600 }));
    cleanups.push(() => exporter.close(500));
    const nc = await connect({ servers: nats.server.url });
    cleanups.push(() => nc.close());
    const now = Date.now() / 1000;
    const short = [1, 2, 3].map((n) => telemetryLine(n, { ts: now, retentionSec: 1 }));
    // (3 s, not 2: the state between the two expiries is polled for, and lasts 2 s even when late)
    const middle = telemetryLine(4, { ts: now, retentionSec: 3 });
    const long = telemetryLine(5, { ts: now, retentionSec: 3600 });
    const never = telemetryLine(6, { ts: now, retentionSec: null });
    await Promise.all([...short, middle, long, never].map((l) => exporter.send(l)));
    expect(await storedIds(nc)).toHaveLength(6);
    await until(() => sameIds(nc, [middle, long, never].map((l) => l.requestId)));
    expect((await storedIds(nc)).sort()).toEqual([middle, long, never].map((l) => l.requestId).sort());
    await until(() => sameIds(nc, [long, never].map((l) => l.requestId)));
    expect((await storedIds(nc)).sort()).toEqual([long, never].map((l) => l.requestId).sort());
    expect(exporter.stats.deletedExpired).toBe(4);
  }, 45_000);

  it('a delete that fails while the server is away is made once it is back', async () => {
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { maxRetentionSec: 3600, connection: { reconnectTimeWait: 100, timeout: 1000 } }));
    cleanups.push(() => exporter.close(500));
    const line = telemetryLine(1, { retentionSec: 1 });
    await exporter.send(line);
    await nats.server.stop();
    await wait(2000); // its expiresAt passes with the server away: the delete fails
    await nats.restart();
    await until(() => exporter.stats.deletedExpired >= 1);
    const nc = await connect({ servers: nats.server.url });
    cleanups.push(() => nc.close());
    expect(await storedIds(nc)).toEqual([]);
    expect(exporter.stats.deletedExpired).toBe(1);
  }, 40_000);
});
