/**
 * Found by a review of the NATS stored-copy lookup, fixed since: the highest sequence known stored
 *   starts at the stream's last sequence at open (ensureStream's info), and at the new stream's last
 *   when the stream is made again or seen made again (src/export/nats-exporter.ts
 *   NatsJetStreamExporter constructor, newSeqEpoch, remakeStream, scanFor).
 * Input: a stream shared with other enforcers already holding 1500 messages on `aipref.telemetry`; an
 *   enforcer starts (NatsJetStreamExporter.open) and its very first line's PubAck is lost (answers
 *   blackholed), the line expires undelivered, the link comes back.
 * Was: the copy is found, but the lookup reads every one of the 1500 older messages first (1501
 *   message-get requests, one round trip each): `seqSeen` starts at 0, so a line sent before any PubAck
 *   of this process has floor 0 and is looked for from the stream's first sequence. On a 7-day shared
 *   stream (--nats-max-age 7d, several enforcers) that is millions of sequential requests, restarted
 *   from the floor after each failure (observed: 1501 reads).
 * Correct: a copy of a line first sent after open has a sequence above the stream's last sequence at
 *   open (open's own stream info, ensureStream's answer): the scan starts there and reads 1 message.
 *   The README's "from the highest sequence a PubAck had shown" and nats-lookup.ts's "max_age bounds
 *   them" promise a scan of what was stored past the line's send, not of the stream's whole history.
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

describe.skipIf(!NATS_SERVER)('NATS lookup: the first line of a new enforcer', () => {
  it('is looked for from the stream as it was at open, not from its first sequence', async () => {
    const other = await observe(nats.server.url, cleanups);
    // another enforcer made the stream and filled it
    const first = await NatsJetStreamExporter.open(quickNatsOptions(nats.server));
    await first.close(100);
    await othersPublish(other, 'aipref.telemetry', 1500, 'other');
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300 }));
    cleanups.push(() => exporter.close(300));
    proxy.blackhole = true;
    const line = telemetryLine(1, { ts: Date.now() / 1000, retentionSec: 1 });
    await exporter.send(line); // stored, PubAck lost, expired undelivered
    expect(exporter.stats).toMatchObject({ expired: 1 });
    const counter = countReads(exporter);
    proxy.resume();
    expect(await until(async () => (await stored(other)).every((m) => m.msgId !== line.requestId), 15_000), 'copy still stored').toBe(true);
    expect(await until(() => !lookupQueue(exporter).running, 2000)).toBe(true);
    expect(counter.reads, 'messages read by the lookup (the copy is the one stored after open)').toBeLessThanOrEqual(2);
  }, 30_000);
});
