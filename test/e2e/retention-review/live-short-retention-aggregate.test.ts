/**
 * Found by a review of retention end to end, fixed since (durations are read up to a century;
 * the live idle tick is 100 ms, a window due at half a 1 s retention closes in time).
 *
 * Input: `live --udp … --to http://127.0.0.1:<port>` (a real node:http AI service that answers
 * 200 to everything) with a policy whose default APT is `{type: domain, export:
 * aggregated-only, retention: "1s"}`; one RTCP SR (no report blocks) is sent over the UDP
 * mirror, then the feed stays silent for 3 s.
 *
 * Was: the service receives no aggregate at all. The window (opened by the SR at arrival time
 * t0) is due for retention at t0 + 0.5 s, but on a silent feed the only thing that closes it is
 * the live idle tick, which fires after a whole second without packets (PacketQueue idle tick
 * 1000 ms, src/cli/live.ts). The aggregate is made ~t0 + 1 s with `expiresAt` t0 + 1 s, so the
 * spool deletes it as expired: the metric
 * aipref_export_failures_total{exporter="http",kind="expired"} reads 1 and
 * the service's hits are `[]`.
 *
 * Correct: README "Retention"/"Metrics, health, logs, signals": a window closes halfway
 * through its earliest item's retention "so that its aggregate … is made with half the
 * retention left for delivery and use downstream, never already expired", and "after a second
 * without packets the service's clock moves the windows on, so nothing is held past its window
 * or half its retention waiting for traffic". SPEC §3 allows any duration (`0`, `90s`, …; a
 * bare integer or `1s` is a valid retention), so a 1 s retention must still yield a deliverable
 * aggregate (made at t0 + 0.5 s, delivered before t0 + 1 s).
 *
 * Fix: src/cli/live.ts startLive / src/sources/packet-queue.ts: the idle tick must come no later
 * than the earliest window due time (WindowStore.earliestDue, i.e. min(end, closeBy)) — e.g. make
 * the queue's idle timeout follow the engine's next due time, or tick at a fraction of the
 * shortest retention seen (e.g. every 100 ms while a window with closeBy is open).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuilt, LiveChild } from '../../live/live-helpers.js';
import { sendSrs } from '../../live-delivery/live-fixtures.js';

let dir = '';
let policy = '';
let server: Server;
let port = 0;
const hits: Record<string, unknown>[] = [];

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'review-retention-live-'));
  policy = path.join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'aggregated-only', retention: '1s' } }, default: 'apt-d' }));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      try {
        hits.push({ at: Date.now() / 1000, body: JSON.parse(body) as unknown });
      } catch {
        hits.push({ at: Date.now() / 1000, body });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('live, aggregated-only with a 1 s retention, silent feed after one SR', () => {
  it('the aggregate reaches the AI service before it expires (window closed at half the retention, not at the next 1 s idle tick)', async () => {
    const { live, addresses } = await LiveChild.start([
      '--udp', '127.0.0.1:0', '--policy', policy, '--to', `http://127.0.0.1:${port}/v1/ai`, '--spool', path.join(dir, 'spool'),
      '--metrics', '127.0.0.1:0', '--workers', '0', '--batch-ms', '5', '--quiet',
    ]);
    try {
      await sendSrs(addresses.udp!.port, 1);
      await new Promise((r) => setTimeout(r, 3000));
      const metrics = await (await fetch(`http://127.0.0.1:${addresses.metrics!.port}/metrics`)).text();
      const expired = metrics.split('\n').find((l) => l.startsWith('aipref_export_failures_total{exporter="http",kind="expired"} '));
      const aggregates = hits.filter((h) => JSON.stringify(h.body).includes('"aggregate"'));
      expect({ aggregates: aggregates.length, expired: expired ?? null }).toEqual({ aggregates: 1, expired: null });
      expect(await live.terminate(15_000)).toBe(0);
    } finally {
      live.child.kill('SIGKILL');
    }
  }, 30_000);
});
