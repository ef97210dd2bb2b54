/** A TCP proxy on 127.0.0.1 that forwards to `target` with `delayMs` added to every chunk, each way, in order (a slow but working path). */
import { connect, createServer, type Socket } from 'node:net';

export async function delayProxy(target: number, delayMs: number): Promise<{ port: number; setDelay: (ms: number) => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const pipeSlow = (from: Socket, to: Socket) => {
    from.on('data', (d) => setTimeout(() => to.destroyed || to.write(d), delayMs));
    from.on('close', () => setTimeout(() => to.destroy(), delayMs));
    from.on('error', () => undefined);
  };
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    pipeSlow(client, upstream);
    pipeSlow(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
