/** A real nats-server with JetStream, started by a test on a free loopback port. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { NatsExporterOptions } from '../../src/export/nats-exporter.js';

export const NATS_SERVER = (() => {
  const found = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
})();

export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export class NatsServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(storeDir: string, port?: number): Promise<NatsServerProcess> {
    if (!NATS_SERVER) throw new Error('nats-server is not installed');
    const p = port ?? (await freeTcpPort());
    const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(p), '-js', '-sd', storeDir], { stdio: 'ignore' });
    const server = new NatsServerProcess(child, p, storeDir);
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
      if (await accepts(p)) return server;
      await new Promise((r) => setTimeout(r, 50));
    }
    await server.stop();
    throw new Error(`nats-server did not listen on ${p} within 5 s`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * A fresh nats-server with its own store around each test of the calling file (when the binary
 * is installed): `server` is this test's, `restart()` brings it back on the same port and store.
 * Register it before a file's own afterEach: those run first (vitest runs after-hooks as a stack).
 */
export function natsServerEachTest(prefix: string): { readonly server: NatsServerProcess; restart(): Promise<void> } {
  let storeDir = '';
  let server: NatsServerProcess | undefined;
  beforeEach(async () => {
    if (!NATS_SERVER) return;
    storeDir = await mkdtemp(join(tmpdir(), prefix));
    server = await NatsServerProcess.start(storeDir);
  });
  afterEach(async () => {
    if (!NATS_SERVER) return;
    await server?.stop();
    await rm(storeDir, { recursive: true, force: true });
  });
  return {
    get server() {
      if (!server) throw new Error('no nats-server in this test');
      return server;
    },
    async restart() {
      server = await NatsServerProcess.start(storeDir, this.server.port);
    },
  };
}

/**
 * NatsJetStreamExporter options for a test server: short PubAck waits, backoff and reconnects, so
 * a stopped and restarted server is noticed in milliseconds; `extra` sets or overrides any.
 */
export function quickNatsOptions(server: NatsServerProcess, extra: Partial<NatsExporterOptions> = {}): NatsExporterOptions {
  return {
    servers: server.url,
    maxRetentionSec: 3600,
    timeoutMs: 500,
    backoff: { baseMs: 20, maxMs: 200 },
    connection: { reconnectTimeWait: 50, timeout: 1000 },
    ...extra,
  };
}
