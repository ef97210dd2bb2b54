/**
 * Operations checks of `live` that came out fine (regression tests): SIGINT drains and exits 0
 * with the locks removed, --stats-every lines, /metrics content type and HEAD, a second scrape
 * consistent with the first and with the stop line, a burst over the queue counted the same in
 * /metrics, the counts and the stop line, and windows closing on an idle feed.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, LiveChild, readLines } from '../live-helpers.js';
import { decided, liveService, metric, sendAll, senderReport, sleep, tempDir } from './ops-helpers.js';

let dir: string;
let policyFile: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir('aipref-ops-pass-');
  policyFile = path.join(dir, 'policy.json');
  await writeFile(policyFile, JSON.stringify({ apts: { agg: { type: 'domain', export: 'aggregated-only', retention: '1h' } }, default: 'agg', window: '1s' }));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('CLI: SIGINT drains, writes the aggregate, exits 0 and removes the locks; --stats-every logs counters; /metrics answers HEAD and GET alike', async () => {
  const out = path.join(dir, 'sigint');
  const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', out, '--policy', policyFile, '--window', '30s', '--stats-every', '1s']);
  await sendAll(addresses.udp!.port, [senderReport(0xabc)]);
  const counters = await live.waitFor((l) => l.event === 'counters' && (l.received as number) === 1, 5000);
  expect(counters).toMatchObject({ received: 1, overflowed: 0, malformedDatagrams: 0 });
  const url = `http://127.0.0.1:${addresses.metrics!.port}/metrics`;
  const head = await fetch(url, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const first = await (await fetch(url)).text();
  const second = await (await fetch(url)).text();
  for (const series of ['aipref_packets_total{proto="rtcp"}', 'aipref_source_records_total{source="udp",kind="received"}'])
    expect([metric(first, series), metric(second, series)]).toEqual([1, 1]);
  live.child.kill('SIGINT');
  expect(await live.exited).toBe(0);
  const stop = await live.waitFor((l) => l.event === 'stop', 1000);
  expect(stop).toMatchObject({ aggregates: 1, received: 1 });
  // the window (30 s) was still open: closed at stop, its aggregate written
  const exports = await readLines(out, 'exports');
  expect(exports.map((e) => e.type)).toEqual(['aggregate']);
  expect((await readdir(out)).filter((f) => f.endsWith('.lock'))).toEqual([]);
}, 30_000);

it('a burst over the queue: overflow counted alike in /metrics, the counts and the stop line; decided + overflowed = received', async () => {
  const out = path.join(dir, 'burst');
  const { service, logs } = await liveService({ outDir: out, policyFile, queueCapacity: 4 });
  await sendAll(service.addresses.udp!.port, Array.from({ length: 300 }, (_, i) => senderReport(0x1000 + i)));
  // every datagram received and the pipeline done with them: polled (up to 15 s), as a fixed
  // pause can be too short under a loaded CI
  const settled = async () => {
    const t = await service.metrics.text();
    return service.counts.received === 300 && metric(t, 'aipref_packets_total{proto="rtcp"}') + service.counts.overflowed === 300 && (await decided(service)) === 300 - service.counts.overflowed;
  };
  for (const end = Date.now() + 15_000; !(await settled()) && Date.now() < end; ) await sleep(20);
  const text = await service.metrics.text();
  expect(service.counts.overflowed).toBeGreaterThan(0);
  expect(metric(text, 'aipref_drops_total{reason="queue-overflow"}')).toBe(service.counts.overflowed);
  expect(metric(text, 'aipref_packets_total{proto="rtcp"}') + service.counts.overflowed).toBe(300);
  // one SR per SSRC: one item each
  expect(await decided(service)).toBe(300 - service.counts.overflowed);
  await service.stop();
  expect(logs.find((l) => l.event === 'stop')).toMatchObject({ overflowed: service.counts.overflowed, received: 300 });
});

it('idle feed: a 1 s window closes and its aggregate is on disk within 2.5 s, with no packet after the first', async () => {
  const out = path.join(dir, 'idle');
  const { service } = await liveService({ outDir: out, policyFile });
  await sendAll(service.addresses.udp!.port, [senderReport(0x77)]);
  await sleep(2500);
  const names = (await readdir(out)).filter((n) => n.startsWith('exports.') && n.endsWith('.ndjson'));
  const text = (await Promise.all(names.map((n) => readFile(path.join(out, n), 'utf8')))).join('');
  expect(text.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['aggregate']);
  await service.stop();
  expect(existsSync(path.join(out, 'exports.lock'))).toBe(false);
});
