/**
 * Found by a review of the NATS lost-PubAck lookup, fixed since: a scan the server stops answering fails at the request's timeout and goes on from the read that failed, with backoff, once the server is back; it makes no consumer, so none is left behind (src/export/nats-exporter.ts findEachStored, scanFor; src/export/nats-lookup.ts scanStoredCopies).
 * Input: a PubAck lost for a line stored after 30 other enforcers' messages on its subject, the line expired undelivered, the link back; the lookup's 5th read is lost and the server stops then, and comes back on the same store. Was: the lookup was a publish; a read losing its server must neither end as "not found" (the line dropped, its copy kept to max_age) nor leave a consumer behind (a consumer-based read would, to its inactive threshold or for good). Correct: the copy is still found and deleted, and the stream has no consumer afterwards.
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

describe.skipIf(!NATS_SERVER)('NATS lookup: the server gone mid-scan', () => {
  it('is retried once the server is back, finds the copy, and leaves no consumer', async () => {
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const reasons: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300, onFailure: (r) => reasons.push(r) }));
    cleanups.push(() => exporter.close(300));
    await exporter.send(telemetryLine(1));
    const other = await observe(nats.server.url, cleanups);
    for (let i = 0; i < 30; i++) await other.jetstream().publish('aipref.telemetry', new TextEncoder().encode(JSON.stringify({ other: i })), { msgID: `other-${i}` });
    await other.close();
    proxy.blackhole = true;
    const line = telemetryLine(2, { ts: Date.now() / 1000, retentionSec: 1 });
    await exporter.send(line); // stored, its PubAck lost; expired undelivered
    expect(exporter.stats).toMatchObject({ published: 1, expired: 1 });
    const reads: string[] = [];
    let stopping: Promise<void> | undefined;
    const nc = (exporter as unknown as { nc: { publish: (s: string, ...rest: unknown[]) => void } }).nc;
    const publish = nc.publish.bind(nc);
    nc.publish = (s, ...rest) => {
      if (s.includes('.STREAM.MSG.GET.')) {
        reads.push(s);
        if (reads.length === 5) {
          // this read is lost, and the server goes away
          stopping = nats.server.stop();
          return;
        }
      } else if (!s.startsWith('$JS.API.')) reads.push(`not a read: ${s}`);
      return publish(s, ...rest);
    };
    proxy.resume();
    expect(await until(() => stopping !== undefined, 8000), 'the scan did not get to its 5th read').toBe(true);
    await stopping;
    await wait(700); // the scan's read timed out (300 ms): it waits to be made again
    expect(lookupQueue(exporter).waiting, 'the line left the queue while the server was away').toBe(1);
    await nats.restart();
    const back = await observe(nats.server.url, cleanups);
    expect(await until(async () => (await stored(back)).every((m) => m.msgId !== line.requestId), 10_000), 'the copy is still in the stream').toBe(true);
    expect(await until(() => lookupQueue(exporter).waiting === 0 && !lookupQueue(exporter).running, 2000)).toBe(true);
    // tried again from the read that was lost (the 4 read before not read again), the copy last:
    // 5 reads, then the 27 from the lost one to the copy
    // (one more if a retry's read went out just as the server came back; a restart from the floor makes 5 + 31)
    expect(reads.length).toBeGreaterThanOrEqual(5 + 27);
    expect(reads.length).toBeLessThan(5 + 31);
    expect(reads.filter((r) => r.startsWith('not a read')), 'published by the lookup').toEqual([]);
    expect((await stored(back)).filter((m) => m.msgId.startsWith('other-')).length).toBe(30);
    expect((await (await back.jetstreamManager()).consumers.list('AIPREF').next()).map((c) => c.name), 'a consumer left').toEqual([]);
    expect(reasons.filter((r) => r.includes('may keep'))).toEqual([]);
  }, 30_000);
});
