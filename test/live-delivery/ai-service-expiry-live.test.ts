/**
 * `live --to` with the AI service away: what expires in the spool is a failed export — counted in
 * aipref_export_failures_total{kind="expired"} one by one, logged once for the outage (README
 * "Exporters"). SPEC §4: nothing is kept past its retention, and the operator is told it went.
 */
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import path from 'node:path';
import { LiveChild } from '../live/live-helpers.js';
import { liveDeliveryFolder, sendSrs } from './live-fixtures.js';

const folder = liveDeliveryFolder('aipref-delivery-ai-live-', '1s');

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}


describe('live --to, the AI service away', () => {
  it('items expiring in the spool are counted one by one and logged once', async () => {
    const { live, addresses } = await LiveChild.start([
      '--udp', '127.0.0.1:0', '--policy', folder.policy, '--to', `http://127.0.0.1:${await closedPort()}/v1/ai`, '--spool', path.join(folder.dir, 'spool'),
      '--metrics', '127.0.0.1:0', '--workers', '0', '--batch-ms', '5', '--quiet',
    ]);
    try {
      // three raw SRs of three senders, 1 s retention; their unbound-stream reports never expire
      await sendSrs(addresses.udp!.port, 3, (i) => 0x11223344 + i);
      const series = 'aipref_export_failures_total{exporter="http",kind="expired"}';
      let expired = 0;
      for (let i = 0; i < 100 && expired < 3; i++) {
        const text = await (await fetch(`http://127.0.0.1:${addresses.metrics!.port}/metrics`)).text();
        expired = Number(text.split('\n').find((l) => l.startsWith(series + ' '))?.slice(series.length + 1) ?? 0);
        if (expired < 3) await new Promise((r) => setTimeout(r, 50));
      }
      expect(expired).toBe(3);
      const logged = live.logs.filter((l) => l.event === 'export-failure' && l.kind === 'expired');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ exporter: 'http', reason: 'expired before it was delivered' });
      expect(await live.terminate(15_000)).toBe(0);
    } finally {
      live.child.kill('SIGKILL');
    }
  }, 30_000);
});
