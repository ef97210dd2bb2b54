/**
 * Found by a review of the NATS TLS fix (round 21), fixed since: after the drain the connection is closed unless it already is (a drain while disconnected resolves without closing) (src/export/nats-exporter.ts closeNow).
 *
 * Input: `live --nats nats://u:s3cret@localhost:<p1>,nats://localhost:<p2>` (two real nats-servers,
 *   no TLS needed to show it; the same with tls://), both servers then go away mid-run (killed), and
 *   live gets SIGTERM a few seconds later.
 * Was (observed): the signal, drain and stop lines are written, then the process does not exit — in
 *   most runs still alive 40 s after SIGTERM (in some it exits in ~2 s), two timers referenced, and the
 *   client still dialing the list: a plain stand-in put on the ports counted ~27 connections after
 *   `stop`. With one server the same exits in ~2 s. Cause (reproduced with nats.js alone):
 *   NatsConnection.drain() while disconnected resolves without closing — ProtocolHandler.drain
 *   swallows the failed flush (`.catch(() => { // cannot happen })`) and never reaches close() — so
 *   NatsJetStreamExporter.closeNow takes `drained === true` and skips `nc.close()`; the client's
 *   reconnect loop (maxReconnectAttempts -1) runs on forever.
 * Correct: SIGTERM stops the process within the stop grace (SPEC §8: stop drains, says `stop`, exits);
 *   a supervisor otherwise waits its timeout and SIGKILLs, and until then a stopped enforcer keeps
 *   dialing — with nats:// it would send CONNECT with the password to whatever answers on a port.
 *   (Not this commit's TLS code: found while checking "a list where the server goes away mid-run".)
 * Fix: src/export/nats-exporter.ts NatsJetStreamExporter.closeNow: after the drain (whatever it
 *   resolved), `if (!this.nc.isClosed()) await this.nc.close()` — nats.js's drain resolving is no
 *   proof the connection closed.
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freeTcpPort, NATS_SERVER, natsServer, sleep, startLive, tempDir } from './tls-helpers.js';

const { dir, remove } = tempDir('ah-list-stop-');
afterAll(remove);

it.skipIf(!NATS_SERVER)('a list whose servers all went away: SIGTERM exits within 15 s (3 runs)', async () => {
  const waited: number[] = [];
  for (let run = 0; run < 3; run++) {
    const [p1, p2] = [await freeTcpPort(), await freeTcpPort()];
    const servers = [await natsServer(dir, p1), await natsServer(dir, p2)];
    const live = startLive(path.join(dir, `out-${run}`), ['--nats', `nats://u:s3cret@localhost:${p1},nats://localhost:${p2}`]);
    try {
      expect(await live.started(), live.stderr()).toBe(true);
      for (const s of servers) await s.stop();
      await sleep(4000);
      const t = Date.now();
      live.child.kill('SIGTERM');
      await Promise.race([live.exited, sleep(15_000)]);
      waited.push(live.child.exitCode !== null || live.child.signalCode !== null ? Date.now() - t : Infinity);
      expect(live.stderr()).toContain('"event":"stop"');
    } finally {
      if (live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL');
      await live.exited;
      for (const s of servers) await s.stop();
    }
  }
  expect(waited.every((ms) => ms < 15_000), `ms from SIGTERM to exit per run: ${waited.join(', ')}`).toBe(true);
}, 120_000);
