/**
 * Differential checks of `live` against `replay` that turned out FINE (regression tests):
 *
 * 1. samples/call-small.pcap (an old capture: times 2026-01-01) over HEPv3/UDP, `replay --to
 *    hep:// --speed 0`, live `--explain --no-resolve-uri`: decisions, reports and the stop
 *    summary equal the offline replay's line for line; /metrics aipref_decisions_total and
 *    aipref_reports_total equal what was written (a junk datagram first: its malformed-input
 *    report counted in both); the exports were made (stop line: 11 aggregates) and their file
 *    deleted as expired, as README documents for an old capture.
 * 2. SIP over TCP (shared capture heplify_sip_ipv4_tcp.pcap) over HEPv3 and as whole IP packets
 *    (`--udp-mode ip-packet`): the same exports (requestId aside: frames are arrival positions;
 *    over HEP the 9 segments without payload are not sent, as IP packets every record is —
 *    documented), decisions but for `frame`, and summary but for `packets`.
 * 3. SIGHUP mid-stream (HEP, generated 4-call capture with renegotiations, the first half sent,
 *    the policy file rewritten unchanged, SIGHUP, `reload` logged, the second half sent):
 *    exports, reports, decisions and summary equal the offline replay's.
 * 4. `--udp-mode ip-packet` at the capture's pace (`replay --to udp:// --speed 1`, sparse
 *    generated capture): the same aggregates — stream, APTs, item counts and window lengths
 *    (within 5 ms) — as offline; only the times are arrival times (documented).
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readCaptureBatches } from '../../../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../../../native-free/packet-decoder.js';
import { generateCapture } from '../../../samples/generator/generate-capture.js';
import { encodeHep, hepTimestamp, IpProtocolNumber } from '../../../src/sources/hep.js';
import { guessHepProtocol } from '../../../src/sources/replay-sender.js';
import { cli, ensureBuilt, kill, metric, offline, REPO_ROOT, scrape, sendDatagrams, startLive, stopAndRead, tempDir, untilReceived, writeJson, type LiveChild } from './lvr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('lvr-pass-'));
});
afterAll(async () => cleanup?.());

const SAMPLE = path.join(REPO_ROOT, 'samples/call-small.pcap');
const POLICY = path.join(REPO_ROOT, 'samples/policy.json');
const TCP_CAPTURE = path.resolve(REPO_ROOT, '../shared/captures/heplify_sip_ipv4_tcp.pcap');

async function hepFramesOf(file: string): Promise<Uint8Array[]> {
  const decoder = new PacketDecoder();
  const view = createPacketView();
  const frames: Uint8Array[] = [];
  for await (const batch of readCaptureBatches(file)) {
    for (let i = 0; i < batch.count; i++) {
      if (decoder.decode(batch, i, view) !== 'udp') continue;
      const payload = view.bytes.slice(view.payloadOffset, view.payloadOffset + view.payloadLength);
      frames.push(encodeHep({ ipVersion: view.ipVersion, ipProtocol: IpProtocolNumber.UDP, src: view.src, dst: view.dst, sport: view.sport, dport: view.dport, ...hepTimestamp(view.ts), protocolType: guessHepProtocol(payload), payload }));
    }
  }
  return frames;
}

const strip = (lines: Record<string, unknown>[], fields: string[]) =>
  lines.map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => !fields.includes(k))));

it('call-small.pcap over HEP: decisions, reports, summary as offline; metrics equal what was written', async () => {
  const off = await offline(SAMPLE, path.join(dir, 'small-off'), ['--policy', POLICY, '--explain']);
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'small-live');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', POLICY, '--explain']);
    live = s.live;
    await sendDatagrams(s.addresses.hep!.udp.port, [Buffer.from('HEP3 junk')]);
    await live.waitFor((l) => l.event === 'malformed-datagram');
    const sent = JSON.parse((await cli(['replay', SAMPLE, '--to', `hep://127.0.0.1:${s.addresses.hep!.udp.port}`, '--speed', '0'])).stdout) as { sent: number; skipped: number };
    expect(sent).toEqual({ sent: 440, skipped: 0 });
    await untilReceived(s.addresses.metrics!.port, 'hep', 441);
    let text = '';
    for (let i = 0; i < 60; i++) {
      text = await scrape(s.addresses.metrics!.port);
      if (['export', 'aggregate', 'drop'].reduce((n, o) => n + metric(text, `aipref_decisions_total{outcome="${o}"}`), 0) >= off.decisions.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const got = await stopAndRead(live, out, true);
    expect(got.code).toBe(0);
    expect(got.decisions).toEqual(off.decisions);
    expect(got.reports.filter((r) => r.frame !== 0)).toEqual(off.reports);
    expect(got.reports.filter((r) => r.frame === 0).map((r) => r.type)).toEqual(['malformed-input']);
    const offSummary = off.summary as { malformed: number; reports: Record<string, number> };
    expect(got.summary).toEqual({ ...off.summary, malformed: offSummary.malformed + 1, reports: { ...offSummary.reports, 'malformed-input': 1 } });
    // metrics: every decision and report written is counted, no more
    for (const o of ['export', 'aggregate', 'drop']) expect(metric(text, `aipref_decisions_total{outcome="${o}"}`)).toBe(got.decisions.filter((d) => d.decision === o).length);
    const byType = new Map<string, number>();
    for (const r of got.reports) byType.set(r.type as string, (byType.get(r.type as string) ?? 0) + 1);
    for (const [t, n] of byType) expect(metric(text, `aipref_reports_total{type="${t}"}`)).toBe(n);
    // the aggregates were made, and not written: past their expiresAt when they came (an old capture, documented)
    expect(live.logs.find((l) => l.event === 'stop')).toMatchObject({ aggregates: off.exports.length });
    expect(got.exports).toEqual([]);
    const unwritten = live.logs.filter((l) => l.event === 'lines-not-written');
    expect(unwritten.map((l) => l.base)).toEqual(unwritten.map(() => 'exports'));
    expect(unwritten.reduce((n, l) => n + (l.count as number), 0)).toBe(off.exports.length);
  } finally {
    kill(live);
  }
}, 40_000);

for (const mode of ['hep', 'ip-packet'] as const) {
  it(`SIP over TCP (heplify_sip_ipv4_tcp.pcap) as ${mode}: the same exports, decisions and summary but for arrival positions`, async () => {
    const policy = await writeJson(path.join(dir, `raw-${mode}.json`), { apts: { d: { type: 'domain', export: 'raw', retention: '9999d' } }, default: 'd' });
    const off = await offline(TCP_CAPTURE, path.join(dir, `tcp-off-${mode}`), ['--policy', policy, '--explain']);
    let live: LiveChild | undefined;
    try {
      const out = path.join(dir, `tcp-live-${mode}`);
      const s = await startLive(out, [...(mode === 'hep' ? ['--hep', '127.0.0.1:0'] : ['--udp', '127.0.0.1:0', '--udp-mode', 'ip-packet']), '--policy', policy, '--explain']);
      live = s.live;
      const target = mode === 'hep' ? `hep://127.0.0.1:${s.addresses.hep!.udp.port}` : `udp://127.0.0.1:${s.addresses.udp!.port}`;
      const sent = JSON.parse((await cli(['replay', TCP_CAPTURE, '--to', target, '--speed', '0', ...(mode === 'hep' ? [] : ['--udp-mode', 'ip-packet'])])).stdout) as { sent: number; skipped: number };
      // ip-packet sends every record's IP packet, as captured (round24-replay-to-review)
      const datagrams = mode === 'hep' ? 75 : 84;
      expect(sent).toEqual({ sent: datagrams, skipped: 84 - datagrams });
      await untilReceived(s.addresses.metrics!.port, mode === 'hep' ? 'hep' : 'udp', datagrams);
      const got = await stopAndRead(live, out, true);
      expect(got.code).toBe(0);
      const timeFields = mode === 'hep' ? ['requestId'] : ['requestId', 'ts', 'expiresAt'];
      expect(strip(got.exports, timeFields)).toEqual(strip(off.exports, timeFields));
      expect(got.exports).toHaveLength(4);
      expect(strip(got.decisions, mode === 'hep' ? ['frame'] : ['frame', 'ts'])).toEqual(strip(off.decisions, mode === 'hep' ? ['frame'] : ['frame', 'ts']));
      expect(got.reports).toEqual(off.reports);
      expect({ ...got.summary, packets: 0 }).toEqual({ ...off.summary, packets: 0 });
      expect(got.summary.packets).toBe(datagrams);
    } finally {
      kill(live);
    }
  }, 30_000);
}

it('SIGHUP mid-stream with the policy file unchanged: outputs equal the offline replay', async () => {
  const capture = path.join(dir, 'gen.pcap');
  await generateCapture({ calls: 4, durationSec: 6, seed: 3, videoBytes: 200, packetRateScale: 0.2, startTime: Math.floor(Date.now() / 1000) }, capture);
  const policy = path.join(dir, 'hup-policy.json');
  await copyFile(POLICY, policy);
  const off = await offline(capture, path.join(dir, 'hup-off'), ['--policy', policy, '--explain']);
  const frames = await hepFramesOf(capture);
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'hup-live');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    const half = Math.floor(frames.length / 2);
    await sendDatagrams(s.addresses.hep!.udp.port, frames.slice(0, half));
    await untilReceived(s.addresses.metrics!.port, 'hep', half);
    await copyFile(POLICY, policy);
    live.child.kill('SIGHUP');
    const reload = await live.waitFor((l) => l.event === 'reload');
    expect(reload.changed).toBeUndefined();
    await sendDatagrams(s.addresses.hep!.udp.port, frames.slice(half));
    await untilReceived(s.addresses.metrics!.port, 'hep', frames.length);
    const got = await stopAndRead(live, out, true);
    expect(got.summary).toEqual(off.summary);
    expect(got.reports).toEqual(off.reports);
    expect(got.decisions).toEqual(off.decisions);
    expect(got.exports).toEqual(off.exports);
  } finally {
    kill(live);
  }
}, 40_000);

it('ip-packet mirror at the capture pace: the same aggregates but for arrival times', async () => {
  const capture = path.join(dir, 'sparse.pcap');
  await generateCapture({ calls: 4, durationSec: 6, seed: 3, videoBytes: 200, packetRateScale: 0.02, startTime: Math.floor(Date.now() / 1000) }, capture);
  const off = await offline(capture, path.join(dir, 'pace-off'), ['--policy', POLICY]);
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'pace-live');
    const s = await startLive(out, ['--udp', '127.0.0.1:0', '--udp-mode', 'ip-packet', '--policy', POLICY]);
    live = s.live;
    const sent = JSON.parse((await cli(['replay', capture, '--to', `udp://127.0.0.1:${s.addresses.udp!.port}`, '--udp-mode', 'ip-packet', '--speed', '1'])).stdout) as { sent: number };
    await untilReceived(s.addresses.metrics!.port, 'udp', sent.sent);
    const got = await stopAndRead(live, out);
    expect(got.summary).toEqual(off.summary);
    const shape = (lines: Record<string, unknown>[]) =>
      lines
        .filter((e) => e.type === 'aggregate')
        .map((e) => {
          const w = e.window as { start: number; end: number };
          return { ssrc: (e.stream as { ssrc: number }).ssrc, apt: e.apt, items: (e.stats as { items: number }).items, length: Math.round((w.end - w.start) * 200) / 200 };
        })
        .sort((a, b) => a.ssrc - b.ssrc || a.items - b.items);
    const a = shape(got.exports);
    const b = shape(off.exports);
    expect(a.map(({ length: _l, ...r }) => r)).toEqual(b.map(({ length: _l, ...r }) => r));
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]!.length - b[i]!.length)).toBeLessThanOrEqual(0.05);
  } finally {
    kill(live);
  }
}, 40_000);
