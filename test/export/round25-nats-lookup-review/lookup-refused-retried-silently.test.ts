/**
 * Found by a review of the NATS stored-copy lookup, fixed since: a scan the server refuses (a
 *   permissions violation, a 4xx JetStream API error) is said once through onFailure and its lines
 *   left to max_age with "the stream may keep … past its expiresAt", not tried again; the README names
 *   the JetStream API subjects the NATS user needs, MSG.GET included (src/export/nats-exporter.ts
 *   findEachStored, lookupRefused).
 * Input: a least-privilege NATS user for the enforcer — publish on `aipref.>` and the JetStream API
 *   subjects the exporter used up to fd03a98 for its stream (INFO, CREATE, UPDATE, MSG.DELETE of AIPREF),
 *   subscribe on `_INBOX.>` — but not `$JS.API.STREAM.MSG.GET.AIPREF`, which the new lookup needs; a
 *   line stored with its PubAck lost, expired undelivered, the link back.
 * Was: every scan is refused (a permissions violation), and findEachStored retries it with backoff for
 *   ever, saying nothing (no onFailure at all, no "may keep … past its expiresAt"); the copy stays to
 *   max_age, the line never leaves the queue (observed: no reason in 4 s while its reads were refused 28 times with "Permissions Violation for Publish to $JS.API.STREAM.MSG.GET.AIPREF", the queue still 1, the copy
 *   still stored). The stream deletes (MSG.DELETE) work, so nothing else tells the operator.
 * Correct: a lookup the server refuses is said (onFailure, as for a failed delete: "reading stream AIPREF
 *   … permissions violation …") and its lines are left to max_age with the usual "the stream may keep
 *   <id> past its expiresAt" (leftToMaxAge) — SPEC §4 (nothing kept past retention) cannot be kept
 *   silently broken; the README should also name MSG.GET among what the enforcer's NATS user needs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { freeTcpPort, NATS_SERVER } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { BlackholeProxy, stored, wait } from '../nats-review/helpers.js';
import { lookupQueue } from '../nats-lookup/helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serverWithUsers(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'aipref-r25-perm-'));
  const port = await freeTcpPort();
  const conf = join(dir, 'nats.conf');
  await writeFile(
    conf,
    `listen: 127.0.0.1:${port}
jetstream { store_dir: "${join(dir, 'js')}" }
authorization {
  users = [
    { user: enforcer, password: pw, permissions: {
        publish: { allow: ["aipref.>", "$JS.API.INFO", "$JS.API.STREAM.INFO.AIPREF", "$JS.API.STREAM.CREATE.AIPREF", "$JS.API.STREAM.UPDATE.AIPREF", "$JS.API.STREAM.MSG.DELETE.AIPREF"] }
        subscribe: { allow: ["_INBOX.>"] } } }
    { user: admin, password: pw }
  ]
}
`,
  );
  const child = spawn(NATS_SERVER!, ['-c', conf], { stdio: 'ignore' });
  cleanups.push(async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 100; i++) {
    try {
      const nc = await connect({ servers: `127.0.0.1:${port}`, user: 'admin', pass: 'pw', reconnect: false });
      await nc.close();
      return port;
    } catch {
      await wait(50);
    }
  }
  throw new Error('nats-server did not start');
}

describe.skipIf(!NATS_SERVER)('NATS lookup: message get not permitted', () => {
  it('is said, not retried silently for ever', async () => {
    const port = await serverWithUsers();
    const proxy = await BlackholeProxy.start(port);
    cleanups.push(() => proxy.stop());
    const reasons: string[] = [];
    const exporter = await NatsJetStreamExporter.open({
      servers: `nats://enforcer:pw@127.0.0.1:${proxy.port}`,
      maxRetentionSec: 3600,
      timeoutMs: 300,
      backoff: { baseMs: 20, maxMs: 200 },
      connection: { reconnectTimeWait: 50, timeout: 1000 },
      onFailure: (r) => reasons.push(r),
    });
    cleanups.push(() => exporter.close(300));
    await exporter.send(telemetryLine(0)); // publishing is permitted
    proxy.blackhole = true;
    const line = telemetryLine(1, { ts: Date.now() / 1000, retentionSec: 1 });
    await exporter.send(line); // stored, PubAck lost, expired
    expect(exporter.stats).toMatchObject({ published: 1, expired: 1 });
    // what the scan's reads get back (for the failure message)
    const readErrors: string[] = [];
    const streams = (exporter as unknown as { jsm: { streams: { getMessage: (...a: unknown[]) => Promise<unknown> } } }).jsm.streams;
    const getMessage = streams.getMessage.bind(streams);
    streams.getMessage = (...a: unknown[]) =>
      getMessage(...a).catch((err: unknown) => {
        readErrors.push(err instanceof Error ? err.message : String(err));
        throw err;
      });
    proxy.resume();
    reasons.length = 0;
    await wait(4000);
    const admin = await connect({ servers: `127.0.0.1:${port}`, user: 'admin', pass: 'pw' });
    cleanups.push(() => admin.close());
    const stillStored = (await stored(admin)).some((m) => m.msgId === line.requestId);
    expect(stillStored, 'the copy is in the stream (the lookup could not read it)').toBe(true);
    expect(
      reasons.filter((r) => !/timeout|disconnect|connection/i.test(r)),
      `nothing said about the lookup (queue: ${lookupQueue(exporter).waiting} waiting; its reads failed ${readErrors.length} times: ${readErrors[0]})`,
    ).not.toEqual([]);
    // said once, the line left to max_age (out of the queue), the read not tried again
    expect(reasons.filter((r) => r.startsWith('reading stream AIPREF')), 'the refusal said').toHaveLength(1);
    expect(reasons.filter((r) => r.includes(`may keep ${line.requestId} past its expiresAt`))).toHaveLength(1);
    expect(lookupQueue(exporter)).toEqual({ waiting: 0, running: false });
    expect(readErrors, 'reads refused').toHaveLength(1);
  }, 20_000);
});
