/** Shared by the round-25 "stream made again" tests: a line noted at sequence 4, the stream made again, another client's messages at 2–4. */
import type { JetStreamManager } from 'nats';
import { expect } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { quickNatsOptions, type NatsServerProcess } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { observe, stored, wait } from '../nats-review/helpers.js';

/**
 * The exporter stores lines 1–3 and a line of 1.5 s retention at sequence 4; `remake` makes the
 * stream again (another client's jsm); the exporter's next line goes to the new stream, at 1;
 * another client's messages take 2–4. After the short line's expiresAt: the new stream unchanged,
 * nothing deleted by the exporter.
 */
export async function newStreamKeepsItsMessages(server: NatsServerProcess, cleanups: (() => Promise<void>)[], remake: (jsm: JetStreamManager) => Promise<void>): Promise<void> {
  const exporter = await NatsJetStreamExporter.open(quickNatsOptions(server));
  cleanups.push(() => exporter.close(300));
  for (let n = 1; n <= 3; n++) await exporter.send(telemetryLine(n));
  const short = telemetryLine(4, { ts: Date.now() / 1000, retentionSec: 1.5 });
  await exporter.send(short);
  const other = await observe(server.url, cleanups);
  expect((await stored(other)).find((m) => m.msgId === short.requestId)?.seq).toBe(4);

  await remake(await other.jetstreamManager());
  await exporter.send(telemetryLine(5));

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
}
