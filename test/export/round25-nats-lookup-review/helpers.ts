/** Helpers for the round-25 review of the NATS stored-copy lookup. */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { NatsConnection } from 'nats';

/**
 * A TCP proxy in front of the server: what the client sends always goes through; what the server
 * sends back is thrown away while `blackhole` is set. `onClient(text)` sees each chunk the client
 * sends (before it is forwarded): it may set `blackhole` (the server gone quiet from then on).
 */
export class WatchProxy {
  blackhole = false;
  onClient: ((text: string) => void) | undefined;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server, readonly port: number) {}
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  static async start(upstreamPort: number): Promise<WatchProxy> {
    let proxy: WatchProxy;
    const server = createServer((client) => {
      const up = tcpConnect(upstreamPort, '127.0.0.1');
      proxy.sockets.add(client).add(up);
      client.on('data', (d) => {
        proxy.onClient?.(d.toString('latin1'));
        up.write(d);
      });
      up.on('data', (d) => {
        if (!proxy.blackhole) client.write(d);
      });
      const end = () => {
        client.destroy();
        up.destroy();
      };
      client.on('close', end).on('error', end);
      up.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new WatchProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }
  /** Lets answers through again; the connections open while they were thrown away are cut (the client reconnects). */
  resume(): void {
    this.blackhole = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Counts the exporter's message-get requests (its lookup's reads); `drop(n)` says whether the n-th read is lost. */
export function countReads(exporter: object, drop: (n: number) => boolean = () => false): { reads: number; published: string[] } {
  const counter = { reads: 0, published: [] as string[] };
  const nc = (exporter as unknown as { nc: NatsConnection & { publish: (s: string, ...rest: unknown[]) => void } }).nc;
  const publish = nc.publish.bind(nc);
  nc.publish = (s: string, ...rest: unknown[]) => {
    if (s.includes('.STREAM.MSG.GET.')) {
      counter.reads++;
      if (drop(counter.reads)) return;
    } else if (!s.startsWith('$JS.API.')) counter.published.push(s);
    return (publish as (s: string, ...rest: unknown[]) => void)(s, ...rest);
  };
  return counter;
}

/** Publishes `n` messages of another enforcer on `subject` (ids `${tag}-i`), 200 at a time. */
export async function othersPublish(nc: NatsConnection, subject: string, n: number, tag: string): Promise<void> {
  const js = nc.jetstream();
  const body = new TextEncoder().encode('{"other":true}');
  for (let i = 0; i < n; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, k) => js.publish(subject, body, { msgID: `${tag}-${i + k}` })));
  }
}
