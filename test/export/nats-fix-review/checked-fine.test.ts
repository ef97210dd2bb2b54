/** Checks of today's NATS exporter changes that hold (review: test/export/nats-fix-review). */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, Empty, nanos } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter, natsServersForDisplay } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, freeTcpPort, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { observe, stored, wait } from '../nats-review/helpers.js';

const nats = natsServerEachTest('aipref-nats-fix-review-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const lookup = { expect: { lastSequence: Number.MAX_SAFE_INTEGER }, timeout: 2000 };

describe.skipIf(!NATS_SERVER)('NATS lookup publish (empty body, expected last seq no stream reaches) on nats-server 2.9', () => {
  it('an unknown id on an empty stream (last seq 0) is refused and stores nothing', async () => {
    const nc = await observe(nats.server.url, cleanups);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'AIPREF', subjects: ['aipref.telemetry'], duplicate_window: nanos(60_000) });
    await expect(nc.jetstream().publish('aipref.telemetry', Empty, { msgID: 'never', ...lookup })).rejects.toThrow(/wrong last sequence/);
    expect((await jsm.streams.info('AIPREF')).state.messages).toBe(0);
  });

  it('a stored id answers duplicate with its sequence, storing nothing', async () => {
    const nc = await observe(nats.server.url, cleanups);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'AIPREF', subjects: ['aipref.telemetry'], duplicate_window: nanos(60_000) });
    const js = nc.jetstream();
    await js.publish('aipref.telemetry', new TextEncoder().encode('{}'), { msgID: 'x0' });
    const first = await js.publish('aipref.telemetry', new TextEncoder().encode('{}'), { msgID: 'x1' });
    const ack = await js.publish('aipref.telemetry', Empty, { msgID: 'x1', ...lookup });
    expect({ dup: ack.duplicate, seq: ack.seq }).toEqual({ dup: true, seq: first.seq });
    expect((await jsm.streams.info('AIPREF')).state.messages).toBe(2);
  });

  it('a stored id past the duplicate window is refused, not stored again empty', async () => {
    const nc = await observe(nats.server.url, cleanups);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'AIPREF', subjects: ['aipref.telemetry'], duplicate_window: nanos(1000) });
    const js = nc.jetstream();
    await js.publish('aipref.telemetry', new TextEncoder().encode('{}'), { msgID: 'y1' });
    await wait(2200);
    await expect(js.publish('aipref.telemetry', Empty, { msgID: 'y1', ...lookup })).rejects.toThrow(/wrong last sequence/);
    const left = await stored(nc);
    expect(left.map((m) => m.data.length)).toEqual([2]);
  }, 10_000);
});

describe.skipIf(!NATS_SERVER)('NATS: the stream deleted under a running exporter', () => {
  it('is made again once, the line is stored, and only one stream add is made', async () => {
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server));
    cleanups.push(() => exporter.close(500));
    const nc = await observe(nats.server.url, cleanups);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete('AIPREF');
    const internals = exporter as unknown as { jsm: { streams: { add: (c: unknown) => Promise<unknown> } } };
    let adds = 0;
    const add = internals.jsm.streams.add.bind(internals.jsm.streams);
    internals.jsm.streams.add = (c) => (adds++, add(c));
    await Promise.all([1, 2, 3].map((n) => exporter.send(telemetryLine(n))));
    expect({ adds, published: exporter.stats.published, stored: (await stored(nc)).length }).toEqual({ adds: 1, published: 3, stored: 3 });
  }, 10_000);
});

describe('NATS credentials in --nats', () => {
  it('are taken out of what is displayed, special characters included', () => {
    expect(natsServersForDisplay('nats://us%40er:p%3Aa@ss@127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
    expect(natsServersForDisplay(['tok%40en@h1:4222', 'nats://h2:4222'])).toBe('h1:4222,nats://h2:4222');
  });

  it.skipIf(!NATS_SERVER)('percent-encoded user and password (%40, %3A, a raw @) authenticate; a wrong one is refused without the password in the error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aipref-nats-auth-'));
    const port = await freeTcpPort();
    const child = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, '--user', 'u@x:y', '--pass', 'p:w@d'], { stdio: 'ignore' });
    cleanups.push(async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    });
    for (let i = 0; i < 100; i++) {
      const ok = await connect({ servers: `127.0.0.1:${port}`, user: 'u@x:y', pass: 'p:w@d', timeout: 200 }).then((c) => c.close().then(() => true), () => false);
      if (ok) break;
      await wait(50);
    }
    const exporter = await NatsJetStreamExporter.open({ servers: `nats://u%40x%3Ay:p%3Aw@d@127.0.0.1:${port}`, maxRetentionSec: 60, timeoutMs: 1000, connection: { timeout: 1000 } });
    await exporter.send(telemetryLine(1));
    expect(exporter.stats.published).toBe(1);
    await exporter.close(200);
    const err = await NatsJetStreamExporter.open({ servers: `nats://u%40x%3Ay:s3cr3tWRONG@127.0.0.1:${port}`, maxRetentionSec: 60, connection: { timeout: 1000, reconnect: false } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message) + String((err as Error).stack)).not.toContain('s3cr3tWRONG');
  }, 15_000);
});
