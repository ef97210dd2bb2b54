/**
 * Found by a review of the NATS lost-PubAck lookup, fixed since: the lookup reads the stream (message get, next on the line's subject) from the line's floor (the highest sequence a PubAck had shown when its first unsure attempt went) for its Nats-Msg-Id, instead of publishing a duplicate (src/export/nats-exporter.ts findEachStored, scanFor; src/export/nats-lookup.ts scanStoredCopies).
 * Input: a PubAck lost for a line stored among other enforcers' messages on the same subject (300 before it, 300 after, other ids), the line expired undelivered, the link back. Was (the publish lookup): found through the duplicate window; a read must find it the same, each of the others read until it. Correct: its stored copy deleted at once (past its expiresAt, SPEC §4), every other message left.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { BlackholeProxy, observe, stored, wait } from '../nats-review/helpers.js';
import { lookupQueue, until } from './helpers.js';

const nats = natsServerEachTest('aipref-nats-lookup-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const encoder = new TextEncoder();

describe.skipIf(!NATS_SERVER)('NATS lookup: a copy stored among other enforcers\' messages', () => {
  it('is found past the others (each read) and deleted; the others stay', async () => {
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const reasons: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300, onFailure: (r) => reasons.push(r) }));
    cleanups.push(() => exporter.close(300));
    const first = telemetryLine(1);
    await exporter.send(first); // a PubAck: the floor of what follows
    const other = await observe(nats.server.url, cleanups);
    const js = other.jetstream();
    const others = 300;
    for (let i = 0; i < others; i++) await js.publish('aipref.telemetry', encoder.encode(JSON.stringify({ other: i })), { msgID: `other-before-${i}` });
    proxy.blackhole = true;
    const line = telemetryLine(2, { ts: Date.now() / 1000, retentionSec: 1 });
    const sending = exporter.send(line);
    await wait(150); // its first attempt stored (answer lost)
    for (let i = 0; i < others; i++) await js.publish('aipref.telemetry', encoder.encode(JSON.stringify({ other: i })), { msgID: `other-after-${i}` });
    await sending; // expired undelivered
    const reads: string[] = []; // the lookup's reads, and anything else it publishes
    const nc = (exporter as unknown as { nc: { publish: (s: string, ...rest: unknown[]) => void } }).nc;
    const publish = nc.publish.bind(nc);
    nc.publish = (s, ...rest) => {
      if (s.includes('.STREAM.MSG.GET.')) reads.push(s);
      else if (!s.startsWith('$JS.API.')) reads.push(`not a read: ${s}`);
      return publish(s, ...rest);
    };
    expect(exporter.stats).toMatchObject({ published: 1, expired: 1 });
    const before = await stored(other);
    const copy = before.filter((m) => m.msgId === line.requestId);
    expect(copy.map((m) => m.seq), 'the stored copy, after the others before it').toEqual([others + 2]);
    proxy.resume();
    expect(await until(async () => (await stored(other)).every((m) => m.msgId !== line.requestId), 8000), 'the copy is still in the stream').toBe(true);
    const after = await stored(other);
    expect(after.length).toBe(before.length - 1);
    expect(after.filter((m) => m.msgId.startsWith('other-')).length).toBe(2 * others);
    expect(after.some((m) => m.msgId === first.requestId)).toBe(true);
    expect(await until(() => !lookupQueue(exporter).running, 2000)).toBe(true);
    expect(reads.filter((r) => r.startsWith('not a read')), 'published by the lookup').toEqual([]);
    // every message of the subject between the floor (line 1's sequence) and the copy, the copy included
    expect(reads.length, 'messages read by the lookup').toBe(others + 1);
    expect(lookupQueue(exporter).waiting).toBe(0);
    expect(reasons.filter((r) => r.includes('may keep'))).toEqual([]);
    expect((await (await other.jetstreamManager()).consumers.list('AIPREF').next()).map((c) => c.name), 'a lookup consumer left').toEqual([]);
  }, 20_000);
});
