/**
 * Checked fine (round 25, review of fd03a98's stored-copy lookup, real nats-server):
 * - subjectPrefix other than `aipref` (`acme`), lines of two kinds waiting at once (telemetry and
 *   aggregate): each subject scanned with next_by_subj on its own subject, both copies found and
 *   deleted, nothing published by the lookup, no consumer left, nothing said;
 * - a line given up for room (overflow, not expired) whose publish was stored: its copy is found and
 *   noted, still in the stream before its expiresAt, deleted after it (StreamExpiry note);
 * - the stream purged past a line's floor (first_seq > floor): the scan starts at first_seq, the line is
 *   dropped as not stored, nothing said, nothing published, the lookup ends;
 * - close() during a long scan (1500 messages to read): the scan's requests are abortable, close settles
 *   within grace + 2 s, no consumer left.
 * Also read (no test): floors are read before the send (a PubAck answered meanwhile cannot raise it);
 * a duplicate's sequence never lowers seqSeen; a retry of the same line keeps the first unsure attempt's
 * floor; a stream remade bumps the epoch (remakeStream, scanFor's created / last_seq check); a `>`
 * subscriber sees only $JS.API / _INBOX traffic (test/export/nats-lookup). Overflowed lines queued right
 * behind their publish (info asked on the same connection just after the publish) were found in 3×2 and
 * 3×400-line tries: no race of the stream info ahead of the store seen on nats-server 2.9.10.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { aggregateLine, telemetryLine } from '../lines.js';
import { BlackholeProxy, observe, stored, wait } from '../nats-review/helpers.js';
import { lookupQueue, until } from '../nats-lookup/helpers.js';
import { countReads, othersPublish } from './helpers.js';

const nats = natsServerEachTest('aipref-r25-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function consumers(nc: Awaited<ReturnType<typeof observe>>): Promise<string[]> {
  return (await (await nc.jetstreamManager()).consumers.list('AIPREF').next()).map((c) => c.name);
}

describe.skipIf(!NATS_SERVER)('NATS lookup (round 25): checked fine', () => {
  it('another prefix, two kinds waiting: both copies found and deleted', async () => {
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const reasons: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300, subjectPrefix: 'acme', onFailure: (r) => reasons.push(r) }));
    cleanups.push(() => exporter.close(300));
    await exporter.send(telemetryLine(0));
    const other = await observe(nats.server.url, cleanups);
    await othersPublish(other, 'acme.aggregate', 20, 'agg');
    await othersPublish(other, 'acme.telemetry', 20, 'tel');
    proxy.blackhole = true;
    const now = Date.now() / 1000;
    const t = telemetryLine(1, { ts: now, retentionSec: 1 });
    const a = { ...aggregateLine(1, now), expiresAt: now + 1 };
    await Promise.all([exporter.send(t), exporter.send(a)]);
    expect(exporter.stats).toMatchObject({ expired: 2 });
    const before = await stored(other);
    expect(before.filter((m) => m.msgId === t.requestId).map((m) => m.subject)).toEqual(['acme.telemetry']);
    expect(before.filter((m) => m.msgId === a.requestId).map((m) => m.subject)).toEqual(['acme.aggregate']);
    const counter = countReads(exporter);
    proxy.resume();
    expect(await until(async () => (await stored(other)).every((m) => m.msgId !== t.requestId && m.msgId !== a.requestId), 8000)).toBe(true);
    expect(await until(() => lookupQueue(exporter).waiting === 0 && !lookupQueue(exporter).running, 2000)).toBe(true);
    expect((await stored(other)).length).toBe(before.length - 2);
    expect(counter.published).toEqual([]);
    expect(reasons.filter((r) => r.includes('may keep'))).toEqual([]);
    expect(await consumers(other)).toEqual([]);
  }, 20_000);

  it('a line given up for room: its copy found, kept to its expiresAt, deleted after', async () => {
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { maxInFlight: 1 }));
    cleanups.push(() => exporter.close(300));
    const other = await observe(nats.server.url, cleanups);
    const now = Date.now() / 1000;
    const given = telemetryLine(1, { ts: now, retentionSec: 2.5 });
    const sends = [exporter.send(given).catch((e: unknown) => e), exporter.send(telemetryLine(2, { ts: now, retentionSec: 2.5 }))];
    await Promise.all(sends);
    expect(exporter.stats).toMatchObject({ overflowed: 1 });
    expect(await until(() => lookupQueue(exporter).waiting === 0 && !lookupQueue(exporter).running, 3000)).toBe(true);
    await wait(Math.max(0, (now + 1.8) * 1000 - Date.now()));
    expect((await stored(other)).some((m) => m.msgId === given.requestId), 'deleted before its expiresAt').toBe(true);
    await wait(Math.max(0, (now + 3.6) * 1000 - Date.now()));
    expect((await stored(other)).some((m) => m.msgId === given.requestId), 'kept past its expiresAt').toBe(false);
  }, 20_000);

  it('the stream purged past the floor: the line dropped quietly, the lookup ends', async () => {
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const reasons: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300, onFailure: (r) => reasons.push(r) }));
    cleanups.push(() => exporter.close(300));
    await exporter.send(telemetryLine(0));
    const other = await observe(nats.server.url, cleanups);
    proxy.blackhole = true;
    const line = telemetryLine(1, { ts: Date.now() / 1000, retentionSec: 1 });
    await exporter.send(line);
    await othersPublish(other, 'aipref.telemetry', 10, 'other');
    await (await other.jetstreamManager()).streams.purge('AIPREF', { keep: 5 });
    const counter = countReads(exporter);
    reasons.length = 0;
    proxy.resume();
    expect(await until(() => lookupQueue(exporter).waiting === 0 && !lookupQueue(exporter).running, 8000)).toBe(true);
    expect(counter.reads, 'only what the purge left').toBeLessThanOrEqual(5);
    expect(counter.published).toEqual([]);
    expect(reasons.filter((r) => !/timeout|disconnect|connection|TIMEOUT/i.test(r))).toEqual([]);
  }, 20_000);

  it('close during a long scan is prompt', async () => {
    const other = await observe(nats.server.url, cleanups);
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300 }));
    await exporter.send(telemetryLine(0)); // the floor; 1500 messages past it
    await othersPublish(other, 'aipref.telemetry', 1500, 'other');
    proxy.blackhole = true;
    await exporter.send(telemetryLine(1, { ts: Date.now() / 1000, retentionSec: 1 }));
    const counter = countReads(exporter);
    proxy.resume();
    expect(await until(() => counter.reads >= 50, 8000)).toBe(true);
    const t0 = Date.now();
    await exporter.close(300);
    expect(Date.now() - t0).toBeLessThan(2600);
    const read = counter.reads;
    await wait(200);
    expect(counter.reads, 'reads after close').toBe(read);
    expect(await consumers(other)).toEqual([]);
  }, 20_000);
});
