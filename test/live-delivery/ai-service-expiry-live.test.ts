/**
 * `live --to` with the AI service away: what expires in the spool is a failed export — counted in
 * aipref_export_failures_total{kind="expired"} one by one, logged once for the outage (README
 * "Exporters"). SPEC §4: nothing is kept past its retention, and the operator is told it went.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuilt, LiveChild } from '../live/live-helpers.js';

let dir: string;
let policy: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-delivery-ai-live-'));
  policy = path.join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1s' } }, default: 'apt-d' }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function sendSrs(port: number, n: number): Promise<void> {
  const s = createSocket('udp4');
  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(28);
    b[0] = 0x80;
    b[1] = 200;
    b.writeUInt16BE(6, 2);
    b.writeUInt32BE(0x11223344 + i, 4);
    b.writeUInt32BE(0x83aa7e80 + i, 8);
    await new Promise((r) => s.send(b, port, '127.0.0.1', r));
  }
  s.close();
}

describe('live --to, the AI service away', () => {
  it('items expiring in the spool are counted one by one and logged once', async () => {
    const { live, addresses } = await LiveChild.start([
      '--udp', '127.0.0.1:0', '--policy', policy, '--to', `http://127.0.0.1:${await closedPort()}/v1/ai`, '--spool', path.join(dir, 'spool'),
      '--metrics', '127.0.0.1:0', '--workers', '0', '--batch-ms', '5', '--quiet',
    ]);
    try {
      // three raw SRs of three senders, 1 s retention; their unbound-stream reports never expire
      await sendSrs(addresses.udp!.port, 3);
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
