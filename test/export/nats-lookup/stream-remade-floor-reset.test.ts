/**
 * Found by a review of the NATS lost-PubAck lookup, fixed since: a line's floor is of the stream as the exporter's PubAcks showed it; a stream deleted and made again (another `created`, sequences from 1) makes floors noted before it 0 (src/export/nats-exporter.ts scanFor, newSeqEpoch).
 * Input: 40 lines acknowledged (floor 40), the stream deleted and made again by someone else, then a line stored at sequence 1 of the new stream whose PubAck is lost; it expires undelivered, the link back. Was (a floor taken as it is): the read from 41 on finds nothing in a stream ending at 1, the line is dropped, its copy kept to max_age. Correct: the copy found and deleted (SPEC §4).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { BlackholeProxy, observe, stored, wait } from '../nats-review/helpers.js';
import { until } from './helpers.js';

const nats = natsServerEachTest('aipref-nats-lookup-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS lookup: the stream made again since the floor', () => {
  it('reads the new stream from its start and finds the copy', async () => {
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300 }));
    cleanups.push(() => exporter.close(300));
    await Promise.all(Array.from({ length: 40 }, (_, i) => exporter.send(telemetryLine(100 + i))));
    const other = await observe(nats.server.url, cleanups);
    const jsm = await other.jetstreamManager();
    const config = (await jsm.streams.info('AIPREF')).config;
    await jsm.streams.delete('AIPREF');
    await wait(20); // another `created`
    await jsm.streams.add(config);
    proxy.blackhole = true;
    const line = telemetryLine(2, { ts: Date.now() / 1000, retentionSec: 1 });
    await exporter.send(line); // stored at 1 of the new stream, its PubAck lost; expired undelivered
    expect((await stored(other)).map((m) => ({ seq: m.seq, msgId: m.msgId }))).toEqual([{ seq: 1, msgId: line.requestId }]);
    proxy.resume();
    expect(await until(async () => (await stored(other)).length === 0, 8000), 'the copy is still in the stream').toBe(true);
  }, 20_000);
});
