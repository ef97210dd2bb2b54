/**
 * Found by a review of the NATS stored-copy lookup (noticed by its fixer), fixed since: a stream made again drops the old stream's expiry schedule — StreamExpiry.forgetAll, called from newSeqEpoch (src/export/nats-expiry.ts forgetAll; src/export/nats-exporter.ts newSeqEpoch).
 * Input: the exporter stores a line of 1.5 s retention at sequence 4; an operator deletes the stream and adds it again (jsm, same config); the exporter's next PubAck shows sequence 1 (going backwards: a new epoch); another client's messages take sequences 2–4 of the new stream; the old line's expiresAt passes.
 * Was: the delete scheduled for the old stream's sequence 4 removes the new stream's message 4 (another client's) at the old line's expiresAt. Correct: it is still there; nothing the exporter noted before the stream was made again is deleted after (SPEC §3/§4 concern the enforcer's own lines only).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { observe, stored, wait } from '../nats-review/helpers.js';

const nats = natsServerEachTest('aipref-r25-expiry-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS expiry: the stream deleted and added again by an operator', () => {
  it("keeps the new stream's message at the old line's sequence past the old line's expiresAt", async () => {
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server));
    cleanups.push(() => exporter.close(300));
    for (let n = 1; n <= 3; n++) await exporter.send(telemetryLine(n));
    const short = telemetryLine(4, { ts: Date.now() / 1000, retentionSec: 1.5 });
    await exporter.send(short);
    const other = await observe(nats.server.url, cleanups);
    expect((await stored(other)).find((m) => m.msgId === short.requestId)?.seq).toBe(4);

    const jsm = await other.jetstreamManager();
    const config = (await jsm.streams.info('AIPREF')).config;
    await jsm.streams.delete('AIPREF');
    await wait(20); // another `created`
    await jsm.streams.add(config);
    await exporter.send(telemetryLine(5)); // stored at 1: a PubAck going backwards

    const js = other.jetstream();
    for (let n = 0; n < 3; n++) await js.publish('aipref.telemetry', new TextEncoder().encode(`{"other":${n}}`), { msgID: `other-${n}` });
    const before = (await stored(other)).map((m) => ({ seq: m.seq, msgId: m.msgId }));
    expect(before).toEqual([
      { seq: 1, msgId: telemetryLine(5).requestId },
      { seq: 2, msgId: 'other-0' },
      { seq: 3, msgId: 'other-1' },
      { seq: 4, msgId: 'other-2' },
    ]);

    await wait(Math.max(0, (short.expiresAt! + 1) * 1000 - Date.now()));
    expect((await stored(other)).map((m) => ({ seq: m.seq, msgId: m.msgId }))).toEqual(before);
    expect(exporter.stats.deletedExpired).toBe(0);
  }, 20_000);
});
