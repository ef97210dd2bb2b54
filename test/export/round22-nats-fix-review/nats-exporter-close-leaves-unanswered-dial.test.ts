/**
 * Found by a review of the NATS fixes (b91494c), fixed since: each dial's socket is seen made (the net.client.socket diagnostics channel, around the connection's own protocol.dial) and close destroys one still connecting (src/export/nats-exporter.ts watchDials, endPendingDial).
 * Input: an embedding program (the API, no CLI) with a NatsJetStreamExporter on a real nats-server;
 *   the server goes, and its port is then held by a listener whose accept queue is full (a frozen
 *   or overloaded nats-server, a host whose firewall drops SYNs: nothing answers the client's SYN);
 *   the client redials; the program calls close(100), and has nothing else to do.
 * Was (observed): close resolves (after the 2 s drain), but the process stays — still running 15 s
 *   later (the kernel retries the SYN for about 2 min); 1 s after close, process.getActiveResourcesInfo()
 *   lists ConnectWrap and TCPSocketWrap. endPendingDial (b91494c) reaches only
 *   `nc.protocol.transport.socket`, which nats.js's NodeTransport.connect assigns once dial()
 *   resolves — a socket still connecting lives only in dial()'s closure, so it is never destroyed.
 *   (live with --nats hides it behind its 300 ms exit timer; the control below — the port simply
 *   closed — ends at once, so it is that socket.)
 * Correct: once close() resolves nothing of the client is left (close's doc: "it settles within
 *   about graceMs + 2 s, whether the server is there or not"; b91494c: endPendingDial "ends a dial
 *   the closed connection left going"): the embedding process ends on its own, as it does when the
 *   server is gone and its port refuses.
 * Fix: src/export/nats-exporter.ts: get hold of the dialling socket — e.g. wrap the transport's
 *   dial (nats.js NodeTransport.prototype.dial, or the transport factory via setTransportFactory)
 *   to remember the socket it creates, and have endPendingDial destroy it; or give the connection a
 *   `timeout` whose expiry destroys the socket. Then closeNow ends a dial in any state.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from '../../live/live-helpers.js';
import { NATS_SERVER, NatsServerProcess } from '../nats-server-process.js';
import { sleep } from '../round22-nats-review/helpers.js';

const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;

/** Runs the child, stops the server, optionally holds its port with a listener that answers no SYN, asks the close: how it ended. */
async function closeAfterServerGone(holdPort: boolean): Promise<{ ended: string; out: string }> {
  const store = await mkdtemp(path.join(tmpdir(), 'r22fix-syn-'));
  const server = await NatsServerProcess.start(store);
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'close-then-exit.mjs'), path.join(REPO, 'dist/src/export/nats-exporter.js'), String(server.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  let holder: ReturnType<typeof spawn> | undefined;
  try {
    for (let i = 0; i < 200 && !out.includes('opened'); i++) await sleep(50);
    expect(out).toContain('opened');
    await server.stop();
    if (holdPort) {
      // listen(0) with one connection queued and never accepted: further SYNs get no answer.
      // The bind is retried (the stopped server's port may take a moment to be free), and the
      // holder's own connection has a timeout: when the client's redial lands in the one queue
      // slot first, the holder's SYN is the one left unanswered — the queue is full either way.
      const py = [
        'import socket,time,sys',
        's=socket.socket()',
        's.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)',
        'for i in range(100):',
        '  try:',
        `    s.bind(('127.0.0.1',${server.port})); break`,
        '  except OSError as e:',
        "    print('bind', e, flush=True); time.sleep(0.1)",
        's.listen(0)',
        'try:',
        `  c=socket.create_connection(('127.0.0.1',${server.port}),timeout=2); print('queued: holder', flush=True)`,
        'except OSError as e:',
        "  print('queued: client', e, flush=True)",
        "print('ready',flush=True)",
        'time.sleep(120)',
      ].join('\n');
      holder = spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'pipe'] });
      let ready = '';
      holder.stdout!.on('data', (d) => (ready += d));
      holder.stderr!.on('data', (d) => (ready += d));
      for (let i = 0; i < 400 && !ready.includes('ready'); i++) await sleep(50);
      expect(ready).toContain('ready');
    }
    await sleep(1000); // the client redials meanwhile
    child.kill('SIGUSR2');
    const t = Date.now();
    const ended = await Promise.race([exited.then(() => `ended ${Date.now() - t} ms after close was asked`), sleep(15_000).then(() => 'still running 15 s after close was asked')]);
    return { ended, out };
  } finally {
    child.kill('SIGKILL');
    holder?.kill('SIGKILL');
    await server.stop();
    await rm(store, { recursive: true, force: true });
  }
}

it.skipIf(!NATS_SERVER)('control: the server gone, its port refusing — the process ends once close resolves', async () => {
  const { ended, out } = await closeAfterServerGone(false);
  expect(ended, out).toMatch(/^ended/);
}, 60_000);

it.skipIf(!NATS_SERVER || !hasPython)('the server gone, its port answering no SYN — the process ends once close resolves', async () => {
  const { ended, out } = await closeAfterServerGone(true);
  expect(out).toContain('closed');
  expect(ended, out).toMatch(/^ended/);
}, 60_000);
