/**
 * `live --nats` and SIGTERM. README "SIGTERM / SIGINT: stop listening, judge everything
 * already received, close every window, flush and close the exporters, exit 0";
 * NatsJetStreamExporter.close: "Waits for what is in flight for up to `graceMs`, then gives up".
 * A real nats-server goes away while the service runs; the service is then told to stop.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { LiveChild } from '../live/live-helpers.js';
import { liveDeliveryFolder, sendSrs } from './live-fixtures.js';
import { NATS_SERVER, NatsServerProcess } from '../export/nats-server-process.js';

const folder = liveDeliveryFolder('aipref-delivery-nats-live-', '2s');


describe.skipIf(!NATS_SERVER)('live --nats, SIGTERM while NATS is away', () => {
  it('exits 0 within the exporter’s grace (a few seconds), not never', async () => {
    const server = await NatsServerProcess.start(path.join(folder.dir, 'store'));
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--nats', server.url, '--workers', '0', '--batch-ms', '5', '--quiet']);
    try {
      await server.stop();
      // 3 raw SRs (2 s retention) and one report (`unbound-stream`, no expiresAt)
      await sendSrs(addresses.udp!.port, 3);
      await live.waitFor((l) => l.event === 'export-failure' && l.exporter === 'nats', 15_000);
      // four lines retrying on their own (they count in aipref_export_failures_total): logged once
      // per kind for the outage (the three SRs may expire meanwhile: 2 s retention)
      await new Promise((r) => setTimeout(r, 1500));
      const failures = live.logs.filter((l) => l.event === 'export-failure').map((l) => `${l.exporter} ${l.kind}`);
      expect(failures[0]).toBe('nats retry');
      expect(failures.filter((f) => f === 'nats retry')).toHaveLength(1);
      expect(failures.every((f) => f === 'nats retry' || f === 'nats expired')).toBe(true);
      expect(new Set(failures).size).toBe(failures.length);
      const asked = performance.now();
      // terminate() SIGKILLs after 25 s and then resolves null
      const code = await live.terminate(25_000);
      const tookMs = performance.now() - asked;
      expect(code, `SIGTERM at ${asked.toFixed(0)}: ${code === null ? 'still running after 25 s, killed' : `exit ${code} after ${tookMs.toFixed(0)} ms`}`).toBe(0);
      expect(tookMs).toBeLessThan(15_000);
      // what was given up is said once, with how many; not again line by line
      const givenUp = live.logs.filter((l) => l.event === 'export-given-up');
      expect(givenUp).toHaveLength(1);
      expect(givenUp[0]).toMatchObject({ exporter: 'nats' });
      expect(live.logs.filter((l) => l.event === 'export-error')).toEqual([]);
    } finally {
      live.child.kill('SIGKILL');
      await server.stop();
    }
  }, 60_000);
});
