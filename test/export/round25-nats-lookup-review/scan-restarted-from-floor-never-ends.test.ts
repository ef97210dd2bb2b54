/**
 * Found by a review of the NATS stored-copy lookup, fixed since: a scan keeps its progress (next
 *   sequence, end, copies found, the stream's epoch) across a failed request and goes on from the
 *   message it was at; it begins again only for a stream made again (src/export/nats-exporter.ts
 *   findEachStored, newScan, scanFor; src/export/nats-lookup.ts scanStoredCopies).
 * Input: a line stored with its PubAck lost behind 300 other enforcers' messages on its subject past its
 *   floor, expired undelivered, the link back; one message-get request in 100 goes unanswered (a lossy
 *   or overloaded server: nats-server drops JetStream API requests when its API queue is full, a
 *   request lost at a reconnect) — every other read answered at once.
 * Was: the copy is never found: each failed read makes findEachStored start the scan again from the
 *   floor (scanFor → scanStoredCopies from `floor + 1`), so no scan gets past the 99th message and the
 *   lookup loops for ever (observed: ~1570 reads in 8 s, the copy still stored, the line still queued).
 *   The cost of a scan of n messages with a failure rate p is unbounded once n·p ≳ 1.
 * Correct: a read that failed is tried again from where the scan was (the messages already read on the
 *   same stream, same created time, stay read): the copy is found after ~300 reads and deleted, as
 *   SPEC §4 requires (it is past its expiresAt). (test/export/nats-lookup/server-away-mid-scan.test.ts
 *   asserts reads ≥ 5 + 31, i.e. a restart from the floor; a resumed scan makes 32 — that assertion
 *   would be lowered with the fix.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { BlackholeProxy, observe, stored } from '../nats-review/helpers.js';
import { lookupQueue, until } from '../nats-lookup/helpers.js';
import { countReads, othersPublish } from './helpers.js';

const nats = natsServerEachTest('aipref-r25-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS lookup: a read lost now and then', () => {
  it('does not make the scan start again from its floor each time', async () => {
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300 }));
    cleanups.push(() => exporter.close(300));
    await exporter.send(telemetryLine(0)); // a PubAck: the floor
    const other = await observe(nats.server.url, cleanups);
    await othersPublish(other, 'aipref.telemetry', 300, 'other');
    proxy.blackhole = true;
    const line = telemetryLine(1, { ts: Date.now() / 1000, retentionSec: 1 });
    await exporter.send(line); // stored after the 300, PubAck lost, expired
    expect(exporter.stats).toMatchObject({ expired: 1 });
    const counter = countReads(exporter, (n) => n % 100 === 0);
    proxy.resume();
    const found = await until(async () => (await stored(other)).every((m) => m.msgId !== line.requestId), 8000);
    expect(found, `copy still stored after ${counter.reads} reads (queue: ${lookupQueue(exporter).waiting})`).toBe(true);
    // 301 messages past the floor, 3 reads lost and each tried again: none read twice from the floor
    expect(counter.reads, 'messages read').toBeLessThanOrEqual(301 + 3 + 3);
  }, 30_000);
});
