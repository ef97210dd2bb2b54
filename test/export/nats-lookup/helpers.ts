/** Helpers for the lost-PubAck lookup tests (test/export/nats-lookup): a proxy that cuts both ways, the exporter's lookup queue. */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { wait } from '../nats-review/helpers.js';

/**
 * A TCP proxy in front of the server that, while `cut` is set, throws away what goes either way:
 * a publish sent then never reaches the server (never stored), and its PubAck wait times out — an
 * attempt whose outcome the exporter cannot know.
 */
export class CutProxy {
  cut = false;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server, readonly port: number) {}
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  static async start(upstreamPort: number): Promise<CutProxy> {
    let proxy: CutProxy;
    const server = createServer((client) => {
      const up = tcpConnect(upstreamPort, '127.0.0.1');
      proxy.sockets.add(client).add(up);
      client.on('data', (d) => {
        if (!proxy.cut) up.write(d);
      });
      up.on('data', (d) => {
        if (!proxy.cut) client.write(d);
      });
      const end = () => {
        client.destroy();
        up.destroy();
      };
      client.on('close', end).on('error', end);
      up.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new CutProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }
  /** Lets everything through again; the connections open while it was cut are closed (the client reconnects). */
  resume(): void {
    this.cut = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The exporter's lookup queue (private): lines waiting to be looked for, and whether a lookup runs. */
export function lookupQueue(exporter: NatsJetStreamExporter): { waiting: number; running: boolean } {
  const internals = exporter as unknown as { maybeStored: unknown[]; finding: Promise<void> | undefined };
  return { waiting: internals.maybeStored.length, running: internals.finding !== undefined };
}

/** Polls `check` every 50 ms until it holds or `ms` pass; its last value. */
export async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await wait(50);
  }
}
