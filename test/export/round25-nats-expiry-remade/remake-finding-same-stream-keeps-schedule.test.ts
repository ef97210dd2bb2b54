/**
 * Found by a review of the NATS stored-copy lookup (noticed by its fixer), fixed since: remakeStream starts a new epoch (dropping the expiry schedule) only for another stream — another `created`, or fewer messages than a PubAck showed — not for the same one found there (src/export/nats-exporter.ts remakeStream).
 * Input: a line of 1.5 s retention stored at sequence 1; a publish then answered "no responders" (a server answering before its JetStream is ready) though the stream is still there; the remake finds it (ensureStream: info, update); the line's expiresAt passes.
 * Was (forgetAll at every remake): the schedule of a stream never made again is dropped, the line kept to max_age. Correct: deleted at its expiresAt (SPEC §4).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, NatsError, type JetStreamClient } from 'nats';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { observe, stored, wait } from '../nats-review/helpers.js';

const nats = natsServerEachTest('aipref-r25-expiry-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS expiry: a remake that finds the same stream', () => {
  it('keeps the schedule: the line is deleted at its expiresAt', async () => {
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server));
    cleanups.push(() => exporter.close(300));
    const short = telemetryLine(1, { ts: Date.now() / 1000, retentionSec: 1.5 });
    await exporter.send(short);
    const internals = exporter as unknown as { js: JetStreamClient };
    const publish = internals.js.publish.bind(internals.js);
    let refused = 0;
    internals.js.publish = ((...args: Parameters<JetStreamClient['publish']>) => {
      if (refused++ === 0) return Promise.reject(NatsError.errorForCode(ErrorCode.NoResponders));
      return publish(...args);
    }) as JetStreamClient['publish'];
    const long = telemetryLine(2);
    await exporter.send(long); // refused once: the stream "made again" (found there), then stored at 2
    expect(refused).toBe(2);
    const other = await observe(nats.server.url, cleanups);
    await wait(Math.max(0, (short.expiresAt! + 1) * 1000 - Date.now()));
    expect((await stored(other)).map((m) => ({ seq: m.seq, msgId: m.msgId }))).toEqual([{ seq: 2, msgId: long.requestId }]);
    expect(exporter.stats.deletedExpired).toBe(1);
  }, 20_000);
});
