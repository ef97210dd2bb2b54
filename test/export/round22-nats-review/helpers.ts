/** Shared by this folder's tests: the round-21 TLS review's helpers (imported), a run of live to its start or exit, a silent TCP listener. */
import { createServer, type Socket } from 'node:net';
import { plainLines, startLive } from '../../live/round21-nats-tls-review/tls-helpers.js';

export * from '../../live/round21-nats-tls-review/tls-helpers.js';

/** live with `--nats <nats>` until it starts or exits: 'started' or the exit code, its one-line refusals, whether a secret showed. */
export async function runToStart(out: string, nats: string, env: NodeJS.ProcessEnv, secret = 's3cret'): Promise<{ outcome: 'started' | 'no start' | number | null; lines: string[]; secretShown: boolean }> {
  const live = startLive(out, ['--nats', nats], env);
  try {
    const outcome = await Promise.race([live.exited, live.started().then((s) => (s ? ('started' as const) : ('no start' as const)))]);
    return { outcome, lines: plainLines(live.stderr()), secretShown: live.stderr().includes(secret) };
  } finally {
    await live.stop();
  }
}

/** A TCP listener on 127.0.0.1:`port` that accepts and never writes (a frozen server, a proxy holding connections). */
export async function silentListener(port: number): Promise<{ sockets: Socket[]; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
