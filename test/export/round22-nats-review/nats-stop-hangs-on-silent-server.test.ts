/**
 * Found by a review of the NATS changes of round 21, fixed since: closeNow destroys the socket of a
 * dial nats.js's close leaves going (src/export/nats-exporter.ts NatsJetStreamExporter.closeNow,
 * endPendingDial), and a stopped live with --nats leaves once its lines are logged, should a dial
 * still hold the loop (an unanswered SYN) (src/cli/live.ts runLive, as for --interface).
 * Input: `live --nats nats://u:s3cret@127.0.0.1:<p1>,nats://127.0.0.1:<p2>` (real nats-servers; the
 *   same with one server `--nats nats://u:s3cret@127.0.0.1:<p2>`); the servers go away and <p2> is
 *   then held by something that accepts TCP connections and never writes (a frozen nats-server's
 *   kernel backlog, a proxy or load balancer holding the connection, a wrong port whose service waits
 *   for the client to speak); SIGTERM 5 s later.
 * Was (observed): the signal, drain and stop lines are written, then the process does not exit — still
 *   alive 20 s (30 s in probes) after SIGTERM; it exits 0 at once when the silent peer closes its
 *   socket. The client's reconnect dial to <p2> waits for an INFO that never comes; closeNow's
 *   nc.close() (c37e2c1) marks the connection closed, but nats.js's NodeTransport.close returns
 *   without touching a transport that never connected (`if (!this.connected) return`), and its dial
 *   timeout ends the same way: the half-open socket stays referenced, and the process with it.
 * Correct: SIGTERM stops the process within the stop grace (SPEC §8: stop drains, says `stop`, exits;
 *   NATS_STOP_GRACE_MS 5 s + the 2 s drain) — c37e2c1's claim, "live with a --nats list whose servers
 *   are all gone now ends on SIGTERM", holds only for servers that refuse the connection; a supervisor
 *   otherwise waits its stop timeout and SIGKILLs.
 * Fix: src/cli/live.ts, once `stop` is written (every exporter closed, logs flushed): end the process
 *   (process.exit with its code, or an unref'd timer that does so after ~1 s if something still holds
 *   the loop); and/or src/export/nats-exporter.ts closeNow: after nc.close(), destroy the socket of a
 *   dial still in progress (nats.js's transport, which its close leaves open).
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freeTcpPort, NATS_SERVER, natsServer, silentListener, sleep, startLive, tempDir } from './helpers.js';

const { dir, remove } = tempDir('r22-silent-');
afterAll(remove);

for (const list of [true, false]) {
  it.skipIf(!NATS_SERVER)(`${list ? 'a list' : 'one server'} gone, its port then held by a silent listener: SIGTERM exits within 15 s`, async () => {
    const [p1, p2] = [await freeTcpPort(), await freeTcpPort()];
    const servers = list ? [await natsServer(dir, p1), await natsServer(dir, p2)] : [await natsServer(dir, p2)];
    const live = startLive(path.join(dir, `out-${list}`), ['--nats', list ? `nats://u:s3cret@127.0.0.1:${p1},nats://127.0.0.1:${p2}` : `nats://u:s3cret@127.0.0.1:${p2}`]);
    let silent: Awaited<ReturnType<typeof silentListener>> | undefined;
    try {
      expect(await live.started(), live.stderr()).toBe(true);
      for (const s of servers) await s.stop();
      silent = await silentListener(p2);
      await sleep(5000);
      expect(silent.sockets.length).toBeGreaterThan(0); // the client is dialling it
      const t = Date.now();
      live.child.kill('SIGTERM');
      await Promise.race([live.exited, sleep(15_000)]);
      const exited = live.child.exitCode !== null || live.child.signalCode !== null;
      expect(live.stderr()).toContain('"event":"stop"');
      expect(exited ? `exited after ${Date.now() - t} ms` : 'still running 15 s after SIGTERM').toMatch(/^exited after/);
    } finally {
      await silent?.close();
      await live.stop();
      for (const s of servers) await s.stop();
    }
  }, 60_000);
}
