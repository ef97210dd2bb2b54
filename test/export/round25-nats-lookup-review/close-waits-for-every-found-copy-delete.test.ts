/**
 * Found by a review of the NATS stored-copy lookup, fixed since: the copies a scan finds are handed
 *   to StreamExpiry (note: due now if expired), whose concurrent sweep close bounds, instead of being
 *   deleted one by one by the lookup, and close's wait for the lookup is bounded by its grace
 *   (src/export/nats-exporter.ts findEachStored, closeNow; src/export/nats-expiry.ts remove gone).
 * Input: 15 lines stored with their PubAcks lost, each expired undelivered; the link comes back, the
 *   lookup's scan finds the 15 copies, and the server goes quiet as the first delete of a found copy is
 *   sent (answers thrown away); the enforcer stops then: close(300).
 * Was: close takes 15 × the request timeout (300 ms) ≈ 4.5 s plus the drain (observed ≈ 6.5 s; 9.7 s with 25 lines):
 *   findEachStored deletes the found, expired copies one after another (`await this.expiry.remove(seq)`
 *   in its loop over the scan's lines), never looking at `closing`, and closeNow waits for `finding`
 *   with no bound. With --nats-max-pending's lines (thousands) and the default 5 s timeout, a stop
 *   hangs for hours.
 * Correct: close "settles within about graceMs + 2 s, whether the server is there or not"
 *   (nats-exporter.ts close; README: "NATS gets 5 s (and at most 2 s more…)"). Before fd03a98 one
 *   line's remove at most was awaited per closing check.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { observe, stored, wait } from '../nats-review/helpers.js';
import { lookupQueue, until } from '../nats-lookup/helpers.js';
import { WatchProxy } from './helpers.js';

const nats = natsServerEachTest('aipref-r25-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS lookup: close while found copies are being deleted', () => {
  it('settles within about grace + 2 s', async () => {
    const proxy = await WatchProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300 }));
    let closing: Promise<void> | undefined;
    cleanups.push(() => closing ?? exporter.close(300));
    await exporter.send(telemetryLine(0)); // a PubAck: the floor
    proxy.blackhole = true;
    const now = Date.now() / 1000;
    const lines = Array.from({ length: 15 }, (_, i) => telemetryLine(i + 1, { ts: now, retentionSec: 1 }));
    await Promise.all(lines.map((l) => exporter.send(l)));
    expect(exporter.stats).toMatchObject({ expired: 15 });
    await wait(400);
    expect(lookupQueue(exporter).waiting).toBe(15);
    const other = await observe(nats.server.url, cleanups);
    expect((await stored(other)).filter((m) => lines.some((l) => l.requestId === m.msgId)).length, 'copies stored').toBe(15);
    let quietAt = 0;
    proxy.onClient = (text) => {
      if (!proxy.blackhole && text.includes('$JS.API.STREAM.MSG.DELETE.')) {
        proxy.blackhole = true; // the server goes quiet: this delete and every later one unanswered
        quietAt = Date.now();
      }
    };
    proxy.resume();
    expect(await until(() => quietAt > 0, 10_000), 'no delete sent').toBe(true);
    const t0 = Date.now();
    closing = exporter.close(300);
    await closing;
    expect(Date.now() - t0, 'close took (ms)').toBeLessThan(3500);
  }, 30_000);
});
