/**
 * Checked fine (review of ee4d134), real nats-server (test/export/nats-server-process.ts), a port
 * whose SYNs go unanswered (python3 listener, accept queue full), the src exporter in process:
 * - watchDials: another socket is never caught — with exporter A redialling into the SYN-dropping
 *   port, a socket the test makes with net.createConnection in the same tick as A.close(), and
 *   exporter B's own dial (B in the same outage on a second port), are still connecting after A's
 *   close resolves; A's dial is gone. B on a live server keeps working (flush round trip) after A's
 *   close. (Only this dial's code runs between subscribe and unsubscribe: nats.js's protocol.dial
 *   runs to net.createConnection synchronously, and status events reach listeners asynchronously.)
 * - the listener is not left subscribed: `net.client.socket` has no subscribers after open, during
 *   an outage with several redials, and after close; and when the client's dial throws
 *   synchronously (ProtocolHandler.prototype.dial patched to throw on redials) — nats.js takes it
 *   as a failed dial, the channel has no subscriber left, close resolves.
 * - no dial after close: no socket made in the 2 s after close (counted on the channel).
 * - live-options (isServerUrl with splitUserinfo): `nats://u:p@`, `nats://u:p@h@`, `u:p@`,
 *   `nats://u:S3cr/x@`, `tls://u:p?x@` — exit-2 usage refusals, the value not shown; `nats://@h`
 *   is taken (no credentials, shown as `nats://h`); the CLI's failure line for
 *   `nats://u:ab/cd@127.0.0.1:<closed>` and `nats://@127.0.0.1:<closed>` shows no password.
 * - caller's tls: null with a tls:// server offering no TLS: TLS still required — the one-line
 *   refusal, nothing sent; null with nats:// and a plain server: plain, as the caller asked
 *   (nats.js's own meaning of null: never upgrade).
 */
import { spawn, spawnSync } from 'node:child_process';
import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, NatsServerProcess } from '../nats-server-process.js';
import { BIN, freeTcpPort, plainStandIn, sleep } from '../round22-nats-review/helpers.js';
// the same CommonJS module instance the exporter's nats uses
import protocolModule from 'nats/lib/nats-base-client/protocol.js';

const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;
const CH = 'net.client.socket';
const subscribed = () => channel(CH).hasSubscribers;

/** Holds `port` with a listener whose accept queue is full: SYNs get no answer. */
async function synDrop(port: number): Promise<() => void> {
  const holder = spawn('python3', ['-c', `import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1',${port}))\ns.listen(0)\nc=socket.create_connection(('127.0.0.1',${port}))\nprint('ready',flush=True)\ntime.sleep(180)`], { stdio: ['ignore', 'pipe', 'ignore'] });
  let ready = '';
  holder.stdout!.on('data', (d) => (ready += d));
  for (let i = 0; i < 100 && !ready.includes('ready'); i++) await sleep(50);
  if (!ready.includes('ready')) holder.kill('SIGKILL');
  expect(ready).toContain('ready');
  return () => holder.kill('SIGKILL');
}

async function withServer<T>(fn: (server: NatsServerProcess) => Promise<T>): Promise<T> {
  const store = await mkdtemp(path.join(tmpdir(), 'r22fix2-pass-'));
  const server = await NatsServerProcess.start(store);
  try {
    return await fn(server);
  } finally {
    await server.stop();
    await rm(store, { recursive: true, force: true });
  }
}

const open = (port: number) => NatsJetStreamExporter.open({ servers: `nats://127.0.0.1:${port}`, maxRetentionSec: 60, connection: { reconnectTimeWait: 50 } });

describe.skipIf(!NATS_SERVER || !hasPython)('watchDials against a SYN-dropping port', () => {
  it("another connection's socket, and another exporter's dial, survive A's close; A's dial is ended; no dial after close", async () => {
    const stops: (() => void)[] = [];
    const made: Socket[] = [];
    const seen = (m: unknown) => made.push((m as { socket: Socket }).socket);
    try {
      await withServer(async (sa) =>
        withServer(async (sb) => {
          const a = await open(sa.port);
          const b = await open(sb.port);
          expect(subscribed()).toBe(false);
          subscribe(CH, seen);
          await sa.stop();
          stops.push(await synDrop(sa.port));
          await sb.stop();
          stops.push(await synDrop(sb.port));
          // each redials once into the dropped SYNs (default 20 s dial timeout): waited for, not
          // slept on — under a loaded CI a redial may take longer than a fixed pause
          for (let waited = 0; waited < 15_000 && made.filter((s) => s.connecting).length < 2; waited += 100) await sleep(100);
          await sleep(300); // nothing more comes: a third dial would fail the count below
          const connecting = made.filter((s) => s.connecting);
          expect(connecting.length).toBe(2);
          const [aDial, bDial] = connecting; // a's dial first: B's server was stopped after A's port was held
          let mine: Socket | undefined;
          const closing = a.close(100);
          mine = createConnection(sa.port, '127.0.0.1'); // same tick as close
          mine.on('error', () => undefined);
          await closing;
          const afterClose = made.length;
          await sleep(2000);
          expect(made.length - afterClose).toBe(0); // no dial after close (the test's own socket was made before)
          expect(made.filter((s) => s !== mine && s !== bDial && s.connecting)).toEqual([]);
          expect(aDial!.destroyed).toBe(true);
          expect(bDial!.connecting).toBe(true);
          expect(mine.connecting).toBe(true);
          mine.destroy();
          await b.close(100);
          expect(bDial!.destroyed).toBe(true);
        }),
      );
    } finally {
      unsubscribe(CH, seen);
      for (const stop of stops) stop();
    }
    expect(subscribed()).toBe(false);
  }, 60_000);

  it('B on a live server keeps working after A (in an outage) is closed', async () => {
    const stops: (() => void)[] = [];
    try {
      await withServer(async (sa) =>
        withServer(async (sb) => {
          const a = await open(sa.port);
          const b = await open(sb.port);
          await sa.stop();
          stops.push(await synDrop(sa.port));
          await sleep(500);
          await a.close(100);
          const nc = (b as unknown as { nc: { isClosed(): boolean; flush(): Promise<void> } }).nc;
          expect(nc.isClosed()).toBe(false);
          await nc.flush();
          await b.close(100);
        }),
      );
    } finally {
      for (const stop of stops) stop();
    }
  }, 60_000);

  it('no subscriber left: during redials, after close, and when the dial throws synchronously', async () => {
    const proto = (protocolModule as unknown as { ProtocolHandler: { prototype: { dial: (...a: unknown[]) => unknown } } }).ProtocolHandler.prototype;
    const original = proto.dial;
    let throwing = false;
    let thrown = 0;
    proto.dial = function (this: unknown, ...args: unknown[]) {
      if (throwing) {
        thrown++;
        throw new Error('thrown synchronously');
      }
      return original.apply(this, args);
    };
    try {
      await withServer(async (s) => {
        const a = await open(s.port);
        expect(subscribed()).toBe(false);
        throwing = true;
        await s.stop();
        for (let i = 0; i < 40 && thrown < 3; i++) await sleep(50);
        expect(thrown).toBeGreaterThanOrEqual(3);
        expect(subscribed()).toBe(false);
        await a.close(100);
        expect(subscribed()).toBe(false);
      });
    } finally {
      proto.dial = original;
    }
  }, 60_000);
});

describe('isServerUrl with the userinfo out', () => {
  const nats = async (value: string) => (await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--nats', value])).nats;
  it('no host once the userinfo is out: exit-2 usage, nothing shown', async () => {
    for (const v of ['nats://u:S3cr@', 'nats://u:S3cr@h@', 'u:S3cr@', 'nats://u:S3cr/x@', 'tls://u:S3cr?x@']) {
      const err = await nats(v).then(() => undefined, (e: Error) => e);
      expect(err?.constructor.name, v).toBe('UsageError');
      expect(err?.message, v).toContain('not a server URL');
      expect(err?.message).not.toContain('S3cr');
    }
  });
  it('`nats://@h` is taken', async () => {
    expect(await nats('nats://@h:4222')).toEqual({ servers: 'nats://@h:4222', maxAgeSec: 604800 });
  });
  it('the CLI failure line shows no password', async () => {
    const closed = await freeTcpPort();
    for (const [v, shown] of [
      [`nats://u:S3/cr@127.0.0.1:${closed}`, `nats://127.0.0.1:${closed}`],
      [`nats://@127.0.0.1:${closed}`, `nats://127.0.0.1:${closed}`],
    ]) {
      const r = spawnSync(process.execPath, [BIN, 'live', '--hep', '127.0.0.1:0', '--nats', v!], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(`aipref-enforcer live: --nats ${shown}: cannot connect: CONNECTION_REFUSED`);
    }
  }, 60_000);
});

describe("caller's tls: null", () => {
  const openOn = (servers: string) =>
    NatsJetStreamExporter.open({ servers, maxRetentionSec: 60, connection: { tls: null, timeout: 1500, maxReconnectAttempts: 0 } }).then(
      async (e) => (await e.close(100), 'opened'),
      (e: Error) => e.message,
    );
  it('tls:// still requires TLS: the one-line refusal, nothing sent', async () => {
    const stand = await plainStandIn();
    try {
      expect(await openOn(`tls://u:s3cret@127.0.0.1:${stand.port}`)).toBe('the server offers no TLS, which tls:// requires (no credentials sent)');
      expect(stand.seen()).toBe('');
    } finally {
      await stand.close();
    }
  }, 30_000);
  it.skipIf(!NATS_SERVER)('nats:// to a plain server: plain, as asked', async () => {
    await withServer(async (s) => expect(await openOn(`nats://127.0.0.1:${s.port}`)).toBe('opened'));
  }, 30_000);
});
