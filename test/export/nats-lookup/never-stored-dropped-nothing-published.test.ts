/**
 * Found by a review of the NATS lost-PubAck lookup, fixed since: a line whose unsure attempts never reached the server is found absent by reading the stream, and dropped, with nothing published (src/export/nats-exporter.ts findEachStored, scanFor; src/export/nats-lookup.ts scanStoredCopies).
 * Input: a PubAck wait timed out for a line whose publishes were all lost on the way to the server (a link cut both ways), other enforcers' messages on its subject past its floor, the line expired undelivered, the link back; a core NATS subscriber on `>`. Was (the publish lookup): an empty body with the line's Nats-Msg-Id went on `aipref.telemetry`, refused by JetStream but delivered to every subscriber of the subject. Correct: the lookup reads (JetStream API requests and their JSON replies to the client's inbox, which a `>` subscription of the account sees as well — no way around that in one account; a consumer's deliveries would come under `aipref.telemetry`, empty if headers only), publishes nothing on the export subjects or elsewhere; the line is dropped from the queue, nothing told (it was never stored), the stream unchanged.
 */
import { connect } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { observe, stored } from '../nats-review/helpers.js';
import { CutProxy, lookupQueue, until } from './helpers.js';

const nats = natsServerEachTest('aipref-nats-lookup-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS lookup: a line never stored', () => {
  it('is dropped (not found) by reading; a subscriber of `>` gets nothing but JetStream API traffic', async () => {
    const proxy = await CutProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const reasons: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300, onFailure: (r) => reasons.push(r) }));
    cleanups.push(() => exporter.close(300));
    await exporter.send(telemetryLine(1)); // a PubAck: the floor of what follows
    const other = await observe(nats.server.url, cleanups);
    proxy.cut = true;
    const line = telemetryLine(2, { ts: Date.now() / 1000, retentionSec: 1 });
    const sending = exporter.send(line);
    // other enforcers' messages past the floor: the lookup has something to read
    for (let i = 0; i < 20; i++) await other.jetstream().publish('aipref.telemetry', new TextEncoder().encode(JSON.stringify({ other: i })), { msgID: `other-${i}` });
    await sending; // expired undelivered, its attempts unanswered
    expect(exporter.stats).toMatchObject({ published: 1, expired: 1 });
    expect(lookupQueue(exporter).waiting, 'queued for the lookup').toBe(1);
    const before = await stored(other);
    const sub = await connect({ servers: nats.server.url });
    cleanups.push(() => sub.close());
    const seen: { subject: string; bytes: number }[] = [];
    sub.subscribe('>', { callback: (_e, m) => seen.push({ subject: m.subject, bytes: m.data.length }) });
    await sub.flush();
    proxy.resume();
    expect(await until(() => lookupQueue(exporter).waiting === 0 && !lookupQueue(exporter).running, 8000), 'still waiting to be looked for').toBe(true);
    await sub.flush();
    // the lookup did read: each of the others past the floor (message get), to the stream's last sequence
    expect(seen.filter((m) => m.subject === '$JS.API.STREAM.MSG.GET.AIPREF').length, 'reads seen').toBe(20);
    expect(seen.filter((m) => m.subject.startsWith('aipref.')), 'on the export subjects').toEqual([]);
    expect(seen.filter((m) => !/^(\$JS\.|_INBOX\.)/.test(m.subject)), 'published outside JetStream API traffic').toEqual([]);
    expect(await stored(other)).toEqual(before);
    expect(reasons.filter((r) => r.includes('may keep'))).toEqual([]);
    expect((await (await other.jetstreamManager()).consumers.list('AIPREF').next()).map((c) => c.name), 'a lookup consumer left').toEqual([]);
  }, 20_000);
});
