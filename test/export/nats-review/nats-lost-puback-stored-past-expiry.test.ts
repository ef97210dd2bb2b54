/**
 * Found by a review of NATS JetStream export, fixed since: a line whose PubAck was lost and that expires (or is given up for room) undelivered is looked for by its Nats-Msg-Id (a re-publish no stream accepts unless duplicate) and its stored copy deleted (src/export/nats-exporter.ts publish, findEachStored).
 */
// Input: NatsJetStreamExporter (src/export/nats-exporter.ts) on a real nats-server, reached through a
//   TCP proxy that loses what the server sends back for a while (a PubAck lost: a flaky link, a
//   server failover after it stored the message). One telemetry line, retention 2 s, is sent while
//   the answers are lost; the link then comes back; 2.5 s after the line's expiresAt the stream is read.
// Was: the server stored the message (seq noted nowhere); every PubAck wait timed out, the retries'
//   answers (duplicate PubAcks carrying the stored sequence) were lost too; at expiresAt the exporter
//   counted it `expired` ("expired before the stream acknowledged it") and forgot it. Its stored copy is
//   never deleted: it stays in the stream for max_age (here 1 h, 7 d by default).
// Correct: SPEC §4 "The enforcer itself keeps nothing past retention (windows, spools and retries
//   included)", SPEC §3 retention binds "the enforcer and downstream"; README (NATS) "the enforcer
//   deletes each line it stored at the line's own expiresAt". An attempt whose outcome is unknown may
//   have stored the line: it must still be deleted at expiresAt.
// Fix: src/export/nats-exporter.ts publish(): when an attempt failed with an unknown outcome (PubAck
//   timeout, disconnect) and the line then expires, do not just count it expired: learn its sequence
//   (e.g. re-publish the same bytes with the same Nats-Msg-Id once the server answers — inside the
//   duplicate window the PubAck is `duplicate` with the stored seq — and delete it at once via
//   StreamExpiry), or publish with a per-message TTL on servers that have it (NATS >= 2.11, Nats-TTL).
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { BlackholeProxy, observe, stored, wait } from './helpers.js';

const nats = natsServerEachTest('aipref-nats-review-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS: a line stored whose PubAck was lost', () => {
  it('is deleted from the stream at its expiresAt, not left to max_age', async () => {
    const proxy = await BlackholeProxy.start(nats.server.port);
    cleanups.push(() => proxy.stop());
    const kinds: string[] = [];
    const exporter = await NatsJetStreamExporter.open(
      quickNatsOptions(nats.server, { servers: proxy.url, timeoutMs: 300, onFailure: (_r, _id, kind) => kinds.push(kind) }),
    );
    cleanups.push(() => exporter.close(500));
    proxy.blackhole = true;
    const line = telemetryLine(1, { ts: Date.now() / 1000, retentionSec: 2 });
    await exporter.send(line); // resolves when it expires undelivered
    expect(exporter.stats).toMatchObject({ published: 0, expired: 1 });
    expect(kinds).toContain('expired');
    proxy.resume();
    const nc = await observe(nats.server.url, cleanups);
    // the server did store it (the stream is the enforcer's own store)
    const waitMs = (line.expiresAt! + 2.5) * 1000 - Date.now();
    await wait(Math.max(0, waitMs));
    const left = (await stored(nc)).filter((m) => m.msgId === line.requestId);
    expect(
      left.map((m) => ({ msgId: m.msgId, secondsPastExpiresAt: Math.round(Date.now() / 1000 - line.expiresAt!) })),
      'still in the stream past its expiresAt',
    ).toEqual([]);
  }, 20_000);
});
