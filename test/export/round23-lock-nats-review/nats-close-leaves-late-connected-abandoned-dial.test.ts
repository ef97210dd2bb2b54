/**
 * Input: an embedding program (the API, no CLI; test/export/round22-nats-fix-2-review/close-after-dials.mjs)
 *   with a NatsJetStreamExporter on a real nats-server, `connection: { timeout: 400, reconnectTimeWait: 50 }`;
 *   the server goes and its port is held by a listener whose accept queue is full (SYNs unanswered:
 *   a frozen/overloaded server, a firewall dropping SYNs for a while); the client redials for 2.5 s —
 *   each dial given up by nats.js after `timeout`, its socket left in the TCP handshake (the kernel
 *   retransmits its SYN at 1, 3, 7, 15… s) — then the holder goes and the real nats-server is back on
 *   the port. The client reconnects; the abandoned dials' retransmitted SYNs are answered too. Some
 *   seconds later the program calls close(100) and has nothing else to do.
 * Was (observed): close resolves, but the process is still running 15 s later; its 'holding:' line
 *   (getActiveResourcesInfo 1 s after close) lists TCPSocketWrap. An abandoned dial whose socket
 *   connects late is removed from watchDials' set on its 'connect' (the `forget` listener), and its
 *   transport — no longer the connection's (nats.js has moved on to a new one) — goes on by itself:
 *   nats.js's NodeTransport.connect reads the server's INFO, marks itself connected and stays open,
 *   held by nothing but the socket. nc.close() closes only the current transport, and endPendingDial
 *   destroys only sockets still `connecting`: the late-connected one is neither. (The server also
 *   keeps one idle client connection per such dial for the whole run: one per `timeout` of the outage.)
 * Correct: once close() resolves nothing of the client is left (close's doc: "it settles within about
 *   graceMs + 2 s, whether the server is there or not"; 412db87's aim: close ends every dial of the
 *   outage); the embedding process ends on its own, as it does when the dials are still connecting
 *   at close (round22-nats-fix-2-review).
 * Fix: src/export/nats-exporter.ts watchDials / endPendingDial: keep each dial's socket until its
 *   'close' (not until its 'connect'), and at close destroy every socket kept (the connection is
 *   closed: none of them is of use); better, also destroy a dial's socket as soon as that dial is
 *   given up — wrap the result of `dial.apply` and, when it rejects (nats.js's timeout), destroy the
 *   socket(s) seen for it — so an abandoned dial never connects behind the client's back.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from '../../live/live-helpers.js';
import { NATS_SERVER, NatsServerProcess } from '../nats-server-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;
const CHILD = path.join(REPO, 'test/export/round22-nats-fix-2-review/close-after-dials.mjs');

it.skipIf(!NATS_SERVER || !hasPython)('dials abandoned in a SYN-dropping outage that connect once the server is back: the process ends once close resolves', async () => {
  const store = await mkdtemp(path.join(tmpdir(), 'r23-late-dial-'));
  let server = await NatsServerProcess.start(store);
  const port = server.port;
  const child = spawn(process.execPath, [CHILD, path.join(REPO, 'dist/src/export/nats-exporter.js'), String(port), '400'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  let holder: ReturnType<typeof spawn> | undefined;
  try {
    for (let i = 0; i < 200 && !out.includes('opened'); i++) await sleep(50);
    expect(out).toContain('opened');
    await server.stop();
    holder = spawn('python3', ['-c', `import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1',${port}))\ns.listen(0)\nc=socket.create_connection(('127.0.0.1',${port}))\nprint('ready',flush=True)\ntime.sleep(180)`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let ready = '';
    holder.stdout!.on('data', (d) => (ready += d));
    for (let i = 0; i < 100 && !ready.includes('ready'); i++) await sleep(50);
    expect(ready).toContain('ready');
    await sleep(2500); // dials time out one after another, each socket left in its handshake
    const gone = new Promise((r) => holder!.once('exit', r));
    holder.kill('SIGKILL');
    await gone;
    server = await NatsServerProcess.start(store, port); // back: the abandoned dials' next SYNs are answered
    await sleep(9000);
    child.kill('SIGUSR2');
    const t = Date.now();
    const ended = await Promise.race([exited.then(() => `ended ${Date.now() - t} ms after close was asked`), sleep(15_000).then(() => 'still running 15 s after close was asked')]);
    expect(out).toMatch(/dials [3-9]/);
    expect(out).toContain('closed');
    expect(ended, out).toMatch(/^ended/);
  } finally {
    child.kill('SIGKILL');
    holder?.kill('SIGKILL');
    await server.stop();
    await rm(store, { recursive: true, force: true });
  }
}, 60_000);
