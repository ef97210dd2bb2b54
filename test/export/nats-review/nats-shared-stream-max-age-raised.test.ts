/**
 * Found by a review of NATS JetStream export, fixed since: every stored line is noted and deleted at its expiresAt, whatever this enforcer's own max_age (src/export/nats-expiry.ts StreamExpiry.note).
 */
// Input: two enforcers feed one NATS (README: "for several enforcers feeding shared consumers"):
//   A runs with `--nats-max-age 2s`, B with a longer one (here 1 h; any operator who left B at the
//   7d default). Both open NatsJetStreamExporter (src/export/nats-exporter.ts) on the same AIPREF
//   stream, A first. A then exports a line whose retention is 3 s; the stream is read 2 s after
//   that line's expiresAt.
// Was: B's open() (ensureStream) raised the shared stream's max_age to 1 h. A's StreamExpiry.note
//   (src/export/nats-expiry.ts) skips every line with expiresAt >= now + A's own max_age (2 s),
//   "max_age removes it by then" — but the stream's max_age is no longer A's: the 3 s line is never
//   deleted and stays for 1 h (for 7 days with B on the default).
// Correct: SPEC §4 "The enforcer itself keeps nothing past retention"; README: "the enforcer deletes
//   each line it stored at the line's own expiresAt". Gone at (about) expiresAt.
// Fix: src/export/nats-expiry.ts note(): decide on the stream's actual max_age (read it from the
//   PubAck's stream info / jsm.streams.info when it may have changed), or simply note every line
//   whose expiresAt is before now + max_age as configured on the server — or never skip (a delete of a
//   message max_age removed first is already ignored as "no message found").
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { observe, stored, wait } from './helpers.js';

const nats = natsServerEachTest('aipref-nats-review-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS: two enforcers on one stream with different --nats-max-age', () => {
  it('each still deletes its lines at their expiresAt', async () => {
    const a = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { maxRetentionSec: 2 }));
    cleanups.push(() => a.close(500));
    const b = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { maxRetentionSec: 3600 }));
    cleanups.push(() => b.close(500));
    const line = telemetryLine(1, { ts: Date.now() / 1000, retentionSec: 3 });
    await a.send(line);
    expect(a.stats.published).toBe(1);
    await wait(Math.max(0, (line.expiresAt! + 2) * 1000 - Date.now()));
    const nc = await observe(nats.server.url, cleanups);
    const maxAgeSec = (await (await nc.jetstreamManager()).streams.info('AIPREF')).config.max_age / 1e9;
    const left = (await stored(nc)).filter((m) => m.msgId === line.requestId).map((m) => m.seq);
    expect({ maxAgeSec, storedPastExpiresAt: left, deletedByA: a.stats.deletedExpired }).toEqual({ maxAgeSec: 3600, storedPastExpiresAt: [], deletedByA: 1 });
  }, 20_000);
});
