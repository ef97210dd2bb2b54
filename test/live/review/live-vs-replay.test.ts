/**
 * Checks of `aipref-enforcer live` (child process, loopback) that turned out FINE:
 * - HEPv3 feed of a generated capture: /metrics aipref_packets_total{proto} rtp/rtcp/sip,
 *   aipref_decisions_total{outcome}, aipref_reports_total{type} equal the offline replay's --json
 *   summary; every aipref_* family has HELP and the documented TYPE; label names are only the
 *   documented ones (no callId/ssrc/dialog labels; cardinality bounded); the stop summary equals
 *   the offline summary; exit 0 on SIGTERM.
 * - Log lines are JSON objects with time, level, event; none copies an SDES text item of the capture
 *   (SPEC §6); SIGHUP with an invalid policy file logs exactly one reload-failed line and /healthz stays 200.
 * - Drain with an AI service over ws:// that accepts TCP but never answers the handshake: /healthz
 *   503 {"status":"unhealthy",…,"stopping":true} while draining, exit 0 within 8 s.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateCapture } from '../../../samples/generator/generate-capture.js';
import { sendSrs } from '../../live-delivery/live-fixtures.js';
import { cli, ensureBuilt, LiveChild, REPO } from '../live-helpers.js';
import { metric, samples, scrape, sleep, tempWithRawPolicy, untilSettled } from './review-helpers.js';

const POLICY = path.join(REPO, 'samples/policy.json');
let dir: string;
let policy: string;
let capture: string;
let offline: { rtp: number; rtcp: number; sip: number; telemetry: Record<string, number>; reports: Record<string, number> };

beforeAll(async () => {
  await ensureBuilt();
  ({ dir, policy } = await tempWithRawPolicy('rl-pass-'));
  capture = path.join(dir, 'c.pcap');
  await generateCapture({ calls: 3, durationSec: 5, seed: 3, videoBytes: 200, packetRateScale: 0.2, startTime: Math.floor(Date.now() / 1000) }, capture);
  offline = JSON.parse((await cli(['replay', capture, '--policy', POLICY, '--out', path.join(dir, 'off'), '--workers', '0', '--json'])).stdout) as typeof offline;
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('HEP: metrics agree with the replay summary, documented types/labels only, logs carry no SDES text, bad SIGHUP logs one line', async () => {
  // SDES text items of the capture, to look for in the logs
  const texts = new Set<string>();
  for (const l of (await cli(['inspect', capture, '--json'])).stdout.split('\n')) {
    if (!l.includes('"chunks"')) continue;
    for (const p of (JSON.parse(l) as { packets: { chunks?: { items: { text?: string }[] }[] }[] }).packets)
      for (const c of p.chunks ?? []) for (const i of c.items) if (i.text && i.text.length >= 4) texts.add(i.text);
  }
  expect(texts.size).toBeGreaterThan(0);
  const hup = path.join(dir, 'hup.json');
  await writeFile(hup, await (await import('node:fs/promises')).readFile(POLICY, 'utf8'));
  const { live, addresses } = await LiveChild.start(['--hep', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', path.join(dir, 'hep'), '--workers', '0', '--batch-ms', '5', '--policy', hup]);
  await writeFile(hup, '{"apts": {"x": {"export": "maybe"}}}');
  live.child.kill('SIGHUP');
  await live.waitFor((l) => l.event === 'reload-failed');
  expect((await scrape(addresses.metrics!.port, '/healthz')).status).toBe(200);
  const { stdout } = await cli(['replay', capture, '--to', `hep://127.0.0.1:${addresses.hep!.udp.port}`, '--speed', '0']);
  const sent = (JSON.parse(stdout) as { sent: number }).sent;
  await untilSettled(addresses.metrics!.port, 'aipref_source_records_total{source="hep",kind="received"}', sent);
  const total = Object.values(offline.telemetry).reduce((a, b) => a + b, 0);
  let text = '';
  for (let i = 0; i < 40; i++) {
    text = (await scrape(addresses.metrics!.port)).text;
    if (['export', 'aggregate', 'drop'].reduce((a, o) => a + metric(text, `aipref_decisions_total{outcome="${o}"}`), 0) >= total) break;
    await sleep(100);
  }
  for (const p of ['rtp', 'rtcp', 'sip'] as const) expect(metric(text, `aipref_packets_total{proto="${p}"}`)).toBe(offline[p]);
  for (const o of ['export', 'aggregate', 'drop']) expect(metric(text, `aipref_decisions_total{outcome="${o}"}`)).toBe(offline.telemetry[o]);
  for (const [t, n] of Object.entries(offline.reports)) expect(metric(text, `aipref_reports_total{type="${t}"}`)).toBe(n);
  const types: Record<string, string> = { packets_total: 'counter', decisions_total: 'counter', drops_total: 'counter', reports_total: 'counter', source_records_total: 'counter', queue_depth: 'gauge', export_failures_total: 'counter' };
  const labels: Record<string, string[]> = { packets_total: ['proto'], decisions_total: ['outcome'], drops_total: ['reason'], reports_total: ['type'], source_records_total: ['source', 'kind'], queue_depth: ['queue'] };
  for (const [name, type] of Object.entries(types)) {
    expect(text).toContain(`# TYPE aipref_${name} ${type}\n`);
    expect(text).toMatch(new RegExp(`# HELP aipref_${name} \\S`));
    for (const s of samples(text, `aipref_${name}`)) expect([...s.matchAll(/(\w+)="/g)].map((m) => m[1])).toEqual(labels[name]);
  }
  expect(text).not.toMatch(/call_?id|ssrc|dialog/i);
  expect(await live.terminate()).toBe(0);
  const stop = await live.waitFor((l) => l.event === 'stop', 1000);
  expect(stop.summary).toMatchObject(offline);
  expect(live.logs.filter((l) => l.event === 'reload-failed')).toHaveLength(1);
  for (const line of live.stderrText.trim().split('\n')) {
    const o = JSON.parse(line) as Record<string, unknown>;
    expect(typeof o.time).toBe('string');
    expect(typeof o.level).toBe('string');
    expect(typeof o.event).toBe('string');
  }
  for (const t of texts) expect(live.stderrText).not.toContain(t);
}, 30_000);

it('drain with a ws:// AI service that never answers: 503 while draining, exit 0 within 8 s', async () => {
  // it completes the handshake, then answers nothing, not even a close frame: the stop waits for
  // the close (a second) — a service that never completed the handshake is let go at once now
  const hang = createServer((s) => {
    let upgraded = false;
    s.on('data', (chunk: Buffer) => {
      if (upgraded) return;
      upgraded = true;
      const key = /sec-websocket-key:\s*(\S+)/i.exec(chunk.toString('latin1'))?.[1] ?? '';
      const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    });
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  try {
    const port = (hang.address() as { port: number }).port;
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--workers', '0', '--policy', policy, '--batch-ms', '5', '--to', `ws://127.0.0.1:${port}/x`, '--spool', path.join(dir, 'spool')]);
    await sendSrs(addresses.udp!.port, 5);
    await sleep(500);
    const t0 = Date.now();
    live.child.kill('SIGTERM');
    await sleep(300);
    const h = await scrape(addresses.metrics!.port, '/healthz');
    expect(h.status).toBe(503);
    expect(JSON.parse(h.text)).toMatchObject({ status: 'unhealthy', stopping: true });
    expect(await live.terminate(10_000)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
  } finally {
    hang.close();
  }
}, 20_000);
