/** Helpers for the NATS review tests: a real nats-server (../nats-server-process.ts), what the stream holds, a TCP proxy. */
import { connect, type NatsConnection } from 'nats';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every message in the stream, raw: subject, headers, bytes. */
export async function stored(nc: NatsConnection, stream = 'AIPREF'): Promise<{ seq: number; subject: string; msgId: string; expiresHeader: string; data: Uint8Array }[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(stream);
  const out: { seq: number; subject: string; msgId: string; expiresHeader: string; data: Uint8Array }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
    if (m) out.push({ seq, subject: m.subject, msgId: m.header.get('Nats-Msg-Id'), expiresHeader: m.header.get('Aipref-Expires-At'), data: m.data });
  }
  return out;
}

export async function observe(url: string, cleanups: (() => Promise<void>)[]): Promise<NatsConnection> {
  const nc = await connect({ servers: url });
  cleanups.push(() => nc.close());
  return nc;
}

/**
 * A TCP proxy in front of the server: what the server sends back is thrown away while `blackhole`
 * is set (a PubAck lost on the way back); what goes either way while `cut` is set (a publish that
 * never reaches the server, its PubAck wait timing out). `onClient(text)` sees each chunk the
 * client sends before it is forwarded (it may set either flag).
 */
export class BlackholeProxy {
  blackhole = false;
  cut = false;
  onClient: ((text: string) => void) | undefined;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server, readonly port: number) {}
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  static async start(upstreamPort: number): Promise<BlackholeProxy> {
    let proxy: BlackholeProxy;
    const server = createServer((client) => {
      const up = tcpConnect(upstreamPort, '127.0.0.1');
      proxy.sockets.add(client).add(up);
      client.on('data', (d) => {
        proxy.onClient?.(d.toString('latin1'));
        if (!proxy.cut) up.write(d);
      });
      up.on('data', (d) => {
        if (!proxy.blackhole && !proxy.cut) client.write(d);
      });
      const end = () => {
        client.destroy();
        up.destroy();
      };
      client.on('close', end).on('error', end);
      up.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new BlackholeProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }
  /** Lets everything through again; the connections open while it was thrown away are closed (the client reconnects). */
  resume(): void {
    this.blackhole = false;
    this.cut = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
