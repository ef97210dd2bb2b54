/**
 * Found by a review of the NATS changes of round 21, fixed since: closeNow ends the socket of a dial
 * nats.js's close leaves going (src/export/nats-exporter.ts NatsJetStreamExporter.closeNow, endPendingDial).
 * Input: an exporter on a real nats-server; the server goes, and its port is then held by a listener
 *   that accepts and never writes; the client redials it; close(200).
 * Was: close resolved, but the client's socket to the silent listener stayed open (nats.js's
 *   NodeTransport.close returns at once for a transport that never connected), holding the process
 *   (nats-stop-hangs-on-silent-server: live still up 20 s after SIGTERM).
 * Correct: close resolves within its grace + drain, and no socket of the client is left open: the
 *   silent listener sees its connection closed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, NatsServerProcess } from '../nats-server-process.js';
import { silentListener, sleep } from './helpers.js';

it.skipIf(!NATS_SERVER)('the exporter\'s close ends a redial waiting on a silent peer', async () => {
  const store = await mkdtemp(path.join(tmpdir(), 'r22-dial-'));
  const server = await NatsServerProcess.start(store);
  let silent: Awaited<ReturnType<typeof silentListener>> | undefined;
  try {
    const exporter = await NatsJetStreamExporter.open({ servers: server.url, maxRetentionSec: 3600, connection: { reconnectTimeWait: 50 } });
    await server.stop();
    silent = await silentListener(server.port);
    for (let i = 0; i < 100 && silent.sockets.length === 0; i++) await sleep(50);
    expect(silent.sockets.length).toBeGreaterThan(0); // the client is dialling it
    const t = Date.now();
    await exporter.close(200);
    expect(Date.now() - t).toBeLessThan(200 + 2000 + 1000);
    // every connection the client made to the silent peer is closed by the client
    const open = () => silent!.sockets.filter((s) => !s.destroyed && !s.readableEnded).length;
    for (let i = 0; i < 40 && open() > 0; i++) await sleep(50);
    expect(open()).toBe(0);
  } finally {
    await silent?.close();
    await server.stop();
    await rm(store, { recursive: true, force: true });
  }
}, 30_000);
