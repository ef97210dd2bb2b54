/**
 * bench/run.ts's arithmetic that holds, with every measurement replaced by canned figures
 * (nothing runs, nothing is written to bench/results/): `--runs 3`.
 */
import { describe, expect, it, vi } from 'vitest';
import type { BenchFigure } from "../../../bench/report.js";
import { BIG, key, PACKETS, PART_COUNTS, PART_RUNS, runBench, TSHARK_RATE, WALK_RATE, walls } from './run-harness.js';

vi.mock('../../../bench/capture-cache.js', async () => {
  const h = await import('./run-harness.js');
  return {
    CACHE_DIR: '/x',
    warmPageCache: async () => 0.01,
    benchCapture: async (options: unknown) => ({ path: h.BIG, options, bytes: 5e8, packets: { total: h.PACKETS, sip: 1000, rtp: 990_000, rtcp: 9000 }, generated: false }),
  };
});
vi.mock('../../../bench/record-walk.js', async (orig) => {
  const real = await orig<typeof import('../../../bench/record-walk.js')>();
  const h = await import('./run-harness.js');
  const w = (rate: number) => async () => ({ records: h.PACKETS, capturedBytes: 4e8, fileBytes: 5e8, seconds: h.PACKETS / rate, recordsPerSec: rate, mbPerSec: 5e8 / 1e6 / (h.PACKETS / rate) });
  return { ...real, walkRecords: w(h.WALK_RATE), walkPacketLayers: async () => ({ ...(await w(h.WALK_RATE / 2)()), udp: h.PACKETS }) };
});
vi.mock('../../../bench/tshark.js', async () => {
  const h = await import('./run-harness.js');
  return {
    findTshark: () => ({ path: '/usr/bin/tshark', version: 'TShark (Wireshark) 4.0.17 (x)' }),
    tsharkRtcp: async () => ({ version: 'TShark (Wireshark) 4.0.17 (x)', command: 'tshark', seconds: h.PACKETS / h.TSHARK_RATE, rtcpLines: 9000, packetsPerSec: h.TSHARK_RATE, runs: [19, 20, 21] }),
  };
});
vi.mock('../../../bench/page-touch.js', () => ({ firstTouchCost: () => ({ megabytes: 32, firstTouchMicros: 1 }) }));
vi.mock('../../../bench/replay-child.js', async () => {
  const h = await import('./run-harness.js');
  return { REPO_ROOT: '/repo', SAMPLE_POLICY: '/repo/samples/policy.json', runReplayChild: async (o: { capture: string; workers?: number }) => h.fakeRun(o) };
});
vi.mock('../../../bench/warm-replay.js', async () => {
  const h = await import('./run-harness.js');
  const seg = { firstBatchSeconds: 0.01, headSeconds: 0.2, headPackets: 100_000, restPacketsPerSec: 2e6 };
  return { HEAD_PACKETS: 100_000, warmReplayChild: async () => ({ packets: h.PACKETS, seconds: [1, 0.8, 0.7, 0.6], packetsPerSec: h.PACKETS / 0.6, segments: [seg, seg, seg, seg] }) };
});
vi.mock('../../../bench/werift-naive.js', async () => {
  const h = await import('./run-harness.js');
  return { weriftNaivePipeline: async () => ({ records: h.PACKETS, rtp: 990_000, rtcp: 9000, rtcpPackets: 18000, other: 1000, errors: 0, seconds: 2, packetsPerSec: h.PACKETS / 2 }) };
});
vi.mock('../../../bench/report.js', async (orig) => {
  const real = await orig<typeof import('../../../bench/report.js')>();
  const h = await import('./run-harness.js');
  return {
    ...real,
    printTable: (figures: unknown[]) => h.captured.printed.push(structuredClone(figures) as never),
    writeResults: async (dir: string, figures: unknown[], context: Record<string, unknown>) => {
      h.captured.written.push({ dir, figures: structuredClone(figures) as never, context: structuredClone(context) });
      return '/nowhere/x.json';
    },
  };
});
vi.mock('../../../bench/live-load.js', () => ({ benchLiveLoad: async () => [] }));
vi.mock('../../../bench/traffic-split.js', async (orig) => {
  const real = await orig<typeof import('../../../bench/traffic-split.js')>();
  const h = await import('./run-harness.js');
  return { ...real, splitByTraffic: async () => h.splitParts() };
});
vi.mock('../../../bench/rtcp-decode.js', () => ({ benchRtcpDecode: async () => [] }));
vi.mock('../../../bench/hot-paths.js', () => ({ benchHotPaths: async () => [] }));
vi.mock('../../../bench/profile.js', () => ({ profileReplay: async () => ({}), printProfile: () => {} }));
vi.mock('../../../src/pipeline/replay-engine.js', () => ({ defaultWorkerCount: () => 4 }));

// --runs 3: three runs per setting, in run order
walls.set(key(BIG, 0), [2.0, 1.0, 1.5]);
walls.set(key(BIG, 1), [0.5, 0.9, 0.7]);
walls.set(key(BIG, undefined), [0.8, 0.4, 0.6]);
walls.set(key('small', 0), [0.2, 0.4, 0.3]);
walls.set(key('small', 1), [0.25, 0.35, 0.3]);
walls.set(key('small', undefined), [0.3, 0.5, 0.4]);

const done = runBench(['--runs', '3', '--no-micro', '--no-profile', '--no-live']);
const all = async () => (await done).written[0]!.figures;
const fig = async (name: string) => {
  const f = (await all()).find((x) => x.name === name);
  if (!f) throw new Error(`no figure ${name}: ${(await all()).map((x) => x.name).join(' / ')}`);
  return f;
};

describe('bench/run.ts, its figures (canned measurements, --runs 3)', () => {
  it('writes to bench/results/ (mocked here) exactly the figures it printed, and the Markdown is their table', async () => {
    const c = await done;
    expect(c.written).toHaveLength(1);
    expect(c.written[0]!.dir).toBe('/repo/bench/results');
    expect(c.printed).toHaveLength(1);
    expect(c.written[0]!.figures).toEqual(c.printed[0]);
    const { markdownTable } = await import("../../../bench/report.js");
    expect(markdownTable(c.written[0]!.figures).split("\n").length).toBe(c.printed[0]!.length + 3);
  });

  it('each replay row is the median run: packets / median wall, and its ratio is that value over the walk row shown', async () => {
    const walk = await fig('bare record walk (readCaptureBatches)');
    expect(walk.value).toBe(WALK_RATE);
    const expected: [string, number][] = [
      ['replay --workers 0', PACKETS / 1.5],
      ['replay --workers 1', PACKETS / 0.7],
      ['replay (default workers = 4)', PACKETS / 0.6],
    ];
    for (const [name, v] of expected) {
      const f = await fig(name);
      expect(f.value).toBeCloseTo(v, 6);
      expect(f.ratio).toEqual({ to: 'record walk', value: f.value / walk.value });
      expect(f.note).toContain(`${(f.value / TSHARK_RATE).toFixed(1)}× tshark`);
      expect(f.note).toContain('median of 3');
    }
  });

  it('every ratio to the record walk is the row\'s value over the walk row\'s value', async () => {
    const walk = (await fig('bare record walk (readCaptureBatches)')).value;
    const rows = (await all()).filter((f) => f.ratio?.to === 'record walk');
    expect(rows.length).toBeGreaterThanOrEqual(9);
    for (const f of rows) expect(f.ratio!.value).toBeCloseTo(f.value / walk, 12);
  });

  it('peak RSS is the max of the runs; per CPU-second the median of packets / CPU', async () => {
    expect((await fig('replay --workers 0: peak RSS')).value).toBe(102);
    expect((await fig('replay --workers 0: per CPU-second')).value).toBeCloseTo(PACKETS / (1.5 * 1.5), 6);
    expect((await fig('replay --workers 1: main thread CPU')).value).toBe(0.7);
  });

  it('fixed cost is the small replay\'s median wall; net rate = packets / (median wall − fixed cost)', async () => {
    expect((await fig('fixed cost: replay --workers 0 of samples/call-small.pcap (440 packets)')).value).toBeCloseTo(300, 9);
    expect((await fig('fixed cost: replay default workers of samples/call-small.pcap (440 packets)')).value).toBeCloseTo(400, 9);
    expect((await fig('replay --workers 0: net of its fixed cost')).value).toBeCloseTo(PACKETS / (1.5 - 0.3), 6);
    expect((await fig('replay --workers 1: net of its fixed cost')).value).toBeCloseTo(PACKETS / (0.7 - 0.3), 6);
  });

  it('tshark and werift rows: their rates, over the same walk', async () => {
    const t = await fig('tshark RTCP decode (-Y rtcp, heuristic RTCP)');
    expect(t.value).toBe(TSHARK_RATE);
    expect(t.ratio!.value).toBeCloseTo(TSHARK_RATE / WALK_RATE, 12);
    const w = await fig('naive werift pipeline (RtpPacket + RtcpPacketConverter)');
    expect(w.value).toBe(PACKETS / 2);
    expect(w.note).toContain(`${(PACKETS / 2 / TSHARK_RATE).toFixed(1)}× tshark`);
  });

  it('the traffic split: its parts replayed --runs times each, their medians and the two paths by difference', async () => {
    const noRtcp = await fig('replay --workers 0 of the capture without its RTCP (991000 packets)');
    expect(noRtcp.value).toBeCloseTo(PART_RUNS['no-rtcp'].packets / PART_RUNS['no-rtcp'].wall, 6);
    expect(noRtcp.note).toContain('0.50 s wall against 1.50 s with its 9000 RTCP datagrams; median of 3');
    expect((await fig('replay --workers 0 of its SIP and RTCP alone (10000 packets)')).value).toBeCloseTo(400, 9);
    expect((await fig('replay --workers 0: the RTCP path, per compound')).value).toBeCloseTo(((0.4 - 0.2) / PART_COUNTS.rtcp) * 1e6, 9);
    expect((await fig('replay --workers 0: the SIP path, per message')).value).toBeCloseTo(((0.2 - 0.1) / PART_COUNTS.sip) * 1e6, 9);
    const byTraffic = (await done).written[0]!.context.byTraffic as { parts: Record<string, { file: string; packets: number }> };
    expect(byTraffic.parts).toEqual({ 'no-rtcp': { file: 'big.no-rtcp.pcap', packets: 991000 }, 'sip-rtcp': { file: 'big.sip-rtcp.pcap', packets: 10000 }, sip: { file: 'big.sip.pcap', packets: 1000 }, empty: { file: 'big.empty.pcap', packets: 0 } });
  });

  it('the targets read the best median rate', async () => {
    const f = (await all()).find((x) => x.name.startsWith('replay ≥ 2 M packets/s'))!;
    expect(f.value).toBeCloseTo(PACKETS / 0.6, 6);
    const x = (await all()).find((x) => x.name.startsWith('replay ≥ 25× tshark'))!;
    expect(x.value).toBeCloseTo(PACKETS / 0.6 / TSHARK_RATE, 9);
  });
});
