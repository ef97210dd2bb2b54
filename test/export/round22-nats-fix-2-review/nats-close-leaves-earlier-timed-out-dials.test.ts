/**
 * Found by a review of the NATS fixes (ee4d134), fixed since: every dial's socket is kept in a Set
 * (each removed on its 'connect' or 'close') and each still connecting destroyed at close
 * (src/export/nats-exporter.ts watchDials, endPendingDial).
 * Input: an embedding program (the API, no CLI) with a NatsJetStreamExporter on a real nats-server,
 *   `connection: { timeout: 400, reconnectTimeWait: 50 }` (any `timeout` shorter than the outage:
 *   nats.js's default is 20 s); the server goes and its port is held by a listener whose accept queue
 *   is full (SYNs unanswered: a frozen/overloaded server, a firewall dropping SYNs); the client redials
 *   for 3 s — each dial given up by nats.js after `timeout`, the next one made — then the program
 *   calls close(100) and has nothing else to do.
 * Was (observed): close resolves, but the process is still running 15 s later (the kernel retries
 *   each SYN for ~127 s, tcp_syn_retries 6); 1 s after close getActiveResourcesInfo() still lists
 *   ConnectWrap/TCPSocketWrap. watchDials (ee4d134) keeps only the LATEST dial's socket
 *   (`watch.socket = undefined` at every dial); nats.js's dial timeout rejects the dial and
 *   `transport.close()` ignores a transport that never connected, so every earlier dial's socket is
 *   left connecting, held only by its closure — and endPendingDial destroys just the last one.
 *   (The control, one dial only — close 1 s into the outage with the default 20 s timeout — ends at once.)
 * Correct: once close() resolves nothing of the client is left (close's doc: "settles within about
 *   graceMs + 2 s, whether the server is there or not"; ee4d134's aim: "close() ends a dial still in
 *   its TCP handshake"): the embedding process ends on its own, however many dials the outage took.
 *   (Meanwhile, during a long outage, those sockets also pile up: one per `timeout`.)
 * Fix: src/export/nats-exporter.ts watchDials / endPendingDial: keep every socket seen made (a Set,
 *   each removed on its 'connect' or 'close'), and destroy all still connecting at close — or destroy
 *   the previous dial's socket when the next dial starts (it is abandoned by then: nats.js's dial has
 *   rejected), and the last at close.
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

/** The child opens an exporter with `timeoutMs`; the server stops, its port answers no SYN; after `outageMs` close is asked: how the child ended. */
async function closeDuringSynDrop(timeoutMs: number, outageMs: number): Promise<{ ended: string; out: string }> {
  const store = await mkdtemp(path.join(tmpdir(), 'r22fix2-syn-'));
  const server = await NatsServerProcess.start(store);
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'close-after-dials.mjs'), path.join(REPO, 'dist/src/export/nats-exporter.js'), String(server.port), String(timeoutMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  let holder: ReturnType<typeof spawn> | undefined;
  try {
    for (let i = 0; i < 200 && !out.includes('opened'); i++) await sleep(50);
    expect(out).toContain('opened');
    await server.stop();
    // listen(0) with one connection queued and never accepted: further SYNs get no answer
    holder = spawn('python3', ['-c', `import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1',${server.port}))\ns.listen(0)\nc=socket.create_connection(('127.0.0.1',${server.port}))\nprint('ready',flush=True)\ntime.sleep(180)`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let ready = '';
    holder.stdout!.on('data', (d) => (ready += d));
    for (let i = 0; i < 100 && !ready.includes('ready'); i++) await sleep(50);
    expect(ready).toContain('ready');
    await sleep(outageMs); // the client redials meanwhile
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

it.skipIf(!NATS_SERVER || !hasPython)('control: one dial in its handshake (default 20 s timeout, close 1 s in) — the process ends', async () => {
  const { ended, out } = await closeDuringSynDrop(20_000, 1000);
  expect(out).toContain('closed');
  expect(ended, out).toMatch(/^ended/);
}, 60_000);

it.skipIf(!NATS_SERVER || !hasPython)('several dials timed out by `timeout` before close — the process ends once close resolves', async () => {
  const { ended, out } = await closeDuringSynDrop(400, 3000);
  expect(out).toMatch(/dials [3-9]/); // it did redial several times
  expect(out).toContain('closed');
  expect(out).not.toContain('after close'); // no dial after close
  expect(ended, out).toMatch(/^ended/);
}, 60_000);
