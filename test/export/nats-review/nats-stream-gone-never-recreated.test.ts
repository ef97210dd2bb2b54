/**
 * Found by a review of NATS JetStream export, fixed since: a publish answered 503 / stream not found makes the stream again (once per outage) and the waiting lines go at once (src/export/nats-exporter.ts publish, remakeStream).
 */
// Input: NatsJetStreamExporter (src/export/nats-exporter.ts) on a real nats-server; the server goes
//   away mid-run and comes back on the same address with an empty JetStream store (a container
//   restarted without a volume, a new node, an operator's `nats stream rm AIPREF`). Lines sent after.
// Was: the AIPREF stream is only made in open() (ensureStream); after the comeback every publish
//   gets "no responders" (503) and is retried until it expires (a report: for ever, until overflow).
//   Nothing is delivered again for the rest of the run; the stream is never re-created.
// Correct: README (NATS): "a line is retried until the stream acknowledges it or it expires" and the
//   enforcer creates the stream it exports into; a server that is back must get the lines again
//   (SPEC §7: NATS JetStream subjects for shared consumers).
// Fix: src/export/nats-exporter.ts publish(): on a 503 / "no responders" / "stream not found" PubAck
//   error, call ensureStream(jsm, streamName, opts) again (once per outage) before the retry.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, NatsServerProcess, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { reportLine, telemetryLine } from '../lines.js';
import { observe, stored, wait } from './helpers.js';

const nats = natsServerEachTest('aipref-nats-review-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS: the server comes back without the stream', () => {
  it('re-creates the stream and delivers the lines sent after the comeback', async () => {
    const failures: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { onFailure: (reason) => failures.push(reason) }));
    cleanups.push(() => exporter.close(300));
    await exporter.send(telemetryLine(1));
    const port = nats.server.port;
    await nats.server.stop();
    const freshStore = await mkdtemp(join(tmpdir(), 'aipref-nats-review-fresh-'));
    const fresh = await NatsServerProcess.start(freshStore, port);
    cleanups.push(async () => {
      await fresh.stop();
      await rm(freshStore, { recursive: true, force: true });
    });
    await wait(500); // the client reconnects (reconnectTimeWait 50 ms)
    const sends = [telemetryLine(2), reportLine(3)].map((l) =>
      Promise.race([exporter.send(l).then(() => 'acknowledged', (e: unknown) => String(e)), wait(4000).then(() => 'still retrying after 4 s')]),
    );
    const outcomes = await Promise.all(sends);
    const nc = await observe(fresh.url, cleanups);
    const ids = await stored(nc).then(
      (ms) => ms.map((m) => m.msgId),
      (e: unknown) => [`no stream: ${String(e)}`],
    );
    expect({ outcomes, ids, lastFailure: failures.at(-1) }).toMatchObject({
      outcomes: ['acknowledged', 'acknowledged'],
      ids: [telemetryLine(2).requestId, expect.any(String)],
    });
  }, 20_000);
});
