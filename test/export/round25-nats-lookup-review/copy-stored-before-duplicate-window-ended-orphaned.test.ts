/**
 * Found by a review of the NATS stored-copy lookup, fixed since: a line acknowledged after an attempt
 *   whose outcome was unknown is queued for the lookup with its acknowledged sequence, and its other
 *   copies (below that sequence) are noted for its expiresAt (src/export/nats-exporter.ts publish,
 *   seenCopy; src/export/nats-lookup.ts scanStoredCopies hands every message read to the exporter).
 * Input: duplicate window 1 s (duplicateWindowSec; the CLI's is min(10 min, --nats-max-age)), a line of
 *   4 s retention whose PubAcks are lost for 2.2 s: its first attempt is stored, the retries within
 *   the window are duplicates, a retry past the window is stored again as a new message; the link comes
 *   back and the next retry is acknowledged (a duplicate of the second copy), before the line expires.
 * Was: only the acknowledged copy is noted and deleted at expiresAt; the first copy, stored by an attempt
 *   whose PubAck was lost, is never looked for (a lookup runs only for a line that leaves undelivered) and
 *   stays in the stream to max_age (observed: one copy of the line still stored 1.5 s past its expiresAt,
 *   at the lowest sequence). The same with the CLI's defaults for a line retried over 10 min (an outage
 *   of lost PubAcks longer than the window, within the line's retention).
 * Correct: every copy the enforcer stored is deleted at the line's expiresAt (SPEC §4: the enforcer keeps
 *   nothing past retention; README: "the enforcer deletes each line it stored at the line's own
 *   expiresAt"). fd03a98's lookup no longer depends on the duplicate window, so it can find such copies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { BlackholeProxy, observe, stored, wait } from '../nats-review/helpers.js';

const nats = natsServerEachTest('aipref-r25-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS: a line stored twice across the duplicate window', () => {
  it('has each of its copies deleted at its expiresAt', async () => {
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300, duplicateWindowSec: 1 }));
    cleanups.push(() => exporter.close(300));
    await exporter.send(telemetryLine(0));
    const other = await observe(nats.server.url, cleanups);
    proxy.blackhole = true;
    const line = telemetryLine(1, { ts: Date.now() / 1000, retentionSec: 4 });
    const sending = exporter.send(line);
    await wait(2200);
    const copies = (await stored(other)).filter((m) => m.msgId === line.requestId).map((m) => m.seq);
    expect(copies.length, 'copies stored while the PubAcks were lost').toBeGreaterThanOrEqual(2);
    proxy.resume();
    await sending; // acknowledged (before its expiresAt)
    expect(exporter.stats.expired).toBe(0);
    await wait(Math.max(0, (line.expiresAt! + 1.5) * 1000 - Date.now()));
    const left = (await stored(other)).filter((m) => m.msgId === line.requestId).map((m) => m.seq);
    expect(left, `copies of the line past its expiresAt (stored: ${copies.join(', ')})`).toEqual([]);
  }, 20_000);
});
