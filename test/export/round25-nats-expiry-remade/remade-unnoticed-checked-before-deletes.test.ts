/**
 * Found by the fixer of c089e4d (noticed and left), fixed since: a sweep with deletes due first asks the stream's info (one request per sweep) and deletes nothing if it is not the stream the schedule is of — another `created`, or a last sequence below what a PubAck showed: the exporter's new-epoch path then (src/export/nats-expiry.ts sweep; src/export/nats-exporter.ts checkStream).
 * Input: exporter A stores a line of 1.5 s retention at sequence 4 of a shared stream; another client deletes the stream, adds it again and publishes 9 messages (sequences 1–9, past A's last); A publishes nothing more, so no PubAck of A goes backwards; the line's expiresAt passes.
 * Was: A's sweep deletes sequence 4 — the other client's message in the new stream (A's deletedExpired 1). Correct: it is still there, A deletes nothing and says no failure; a line A stores in the new stream afterwards is deleted at its own expiresAt (the check learns the new stream: it does not drop that one too). Also: after a PubAck going backwards (the exporter not knowing the new stream's `created`), the check takes that stream as the one, and deletes a line noted in it; a check that fails (server away) is one line said and the sweep tried again a second on, one check per sweep however many deletes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JetStreamManager } from 'nats';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { StreamExpiry } from '../../../src/export/nats-expiry.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { observe, stored, wait } from '../nats-review/helpers.js';

const nats = natsServerEachTest('aipref-r25-expiry-check-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const until = async (expiresAt: number) => wait(Math.max(0, (expiresAt + 1) * 1000 - Date.now()));

describe.skipIf(!NATS_SERVER)('NATS expiry: the stream made again by another client, unnoticed by this exporter', () => {
  it("keeps the new stream's message at the old line's sequence; deletes this exporter's later line of the new stream", async () => {
    const failures: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { onFailure: (reason) => failures.push(reason) }));
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
    const js = other.jetstream();
    for (let n = 0; n < 9; n++) await js.publish('aipref.telemetry', new TextEncoder().encode(`{"other":${n}}`), { msgID: `other-${n}` });
    const before = (await stored(other)).map((m) => ({ seq: m.seq, msgId: m.msgId }));
    expect(before).toHaveLength(9);
    expect(before[3]).toEqual({ seq: 4, msgId: 'other-3' });

    await until(short.expiresAt!);
    expect((await stored(other)).map((m) => ({ seq: m.seq, msgId: m.msgId }))).toEqual(before);
    expect(exporter.stats.deletedExpired).toBe(0);
    expect(failures).toEqual([]);

    // the new stream is now the one: a line of it is deleted at its expiresAt, the others left
    const later = telemetryLine(5, { ts: Date.now() / 1000, retentionSec: 1.5 });
    await exporter.send(later);
    expect((await stored(other)).find((m) => m.msgId === later.requestId)?.seq).toBe(10);
    await until(later.expiresAt!);
    expect((await stored(other)).map((m) => ({ seq: m.seq, msgId: m.msgId }))).toEqual(before);
    expect(exporter.stats.deletedExpired).toBe(1);
    expect(failures).toEqual([]);
  }, 20_000);

  it('after a PubAck going backwards, still deletes a line noted in the new stream', async () => {
    const failures: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { onFailure: (reason) => failures.push(reason) }));
    cleanups.push(() => exporter.close(300));
    for (let n = 1; n <= 3; n++) await exporter.send(telemetryLine(n));
    const other = await observe(nats.server.url, cleanups);
    const jsm = await other.jetstreamManager();
    const config = (await jsm.streams.info('AIPREF')).config;
    await jsm.streams.delete('AIPREF');
    await wait(20);
    await jsm.streams.add(config);

    const short = telemetryLine(4, { ts: Date.now() / 1000, retentionSec: 1.5 });
    await exporter.send(short); // stored at 1: a PubAck going backwards, the new stream's `created` not known
    expect((await stored(other)).map((m) => m.msgId)).toEqual([short.requestId]);
    await until(short.expiresAt!);
    expect(await stored(other)).toEqual([]);
    expect(exporter.stats.deletedExpired).toBe(1);
    expect(failures).toEqual([]);
  }, 20_000);
});

describe('StreamExpiry: the check before a sweep deletes', () => {
  it('asks once per sweep; a failed check deletes nothing, is said, and the sweep is tried again; false deletes nothing', async () => {
    const sent: number[] = [];
    const jsm = { streams: { deleteMessage: async (_stream: string, seq: number) => sent.push(seq) > 0 } } as unknown as JetStreamManager;
    const failures: string[] = [];
    const answers: (boolean | Error)[] = [new Error('TIMEOUT'), true, false];
    let checks = 0;
    const check = async (): Promise<boolean> => {
      const answer = answers[checks++]!;
      if (answer instanceof Error) throw answer;
      return answer;
    };
    const expiry = new StreamExpiry(jsm, 'AIPREF', 3600, () => Date.now() / 1000, (reason) => failures.push(reason), check);
    const past = Date.now() / 1000 - 1;
    for (let seq = 1; seq <= 50; seq++) expiry.note(seq, past);
    await wait(300);
    expect({ checks, sent }).toEqual({ checks: 1, sent: [] });
    expect(failures).toEqual(['deleting expired messages from stream AIPREF: checking it was not made again: TIMEOUT (tried again)']);
    await wait(1300);
    expect(checks).toBe(2);
    expect(sent).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // (the caller forgets the schedule when it answers false: here nothing of this sweep is deleted)
    expiry.note(60, past);
    await wait(300);
    expect(checks).toBe(3);
    expect(sent).toHaveLength(50);
    await expiry.close();
    expect(expiry.stats).toEqual({ deleted: 50, failed: 0 });
    expect(failures).toHaveLength(1);
  }, 10_000);
});
