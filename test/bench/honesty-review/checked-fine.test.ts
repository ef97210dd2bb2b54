/**
 * Checks of the bench's honesty that hold (real modules, a small generated capture in a temp
 * dir; oracles: tshark and the generator's truth manifest).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../../samples/generator/generate-capture.js';
import type { GenerationTruth } from '../../../samples/generator/truth.js';
// the compiled module: it hashes the compiled generator beside it (dist/)
// @ts-ignore no declarations in dist/
import { benchCapture, CACHE_DIR } from '../../../dist/bench/capture-cache.js';
import { bestOf, walkPacketLayers, walkRecords } from '../../../bench/record-walk.js';
import { weriftNaivePipeline } from '../../../bench/werift-naive.js';
import { findTshark, tsharkRtcp } from '../../../bench/tshark.js';
import { runReplayChild } from '../../../bench/replay-child.js';
import { markdownTable, writeResults, type BenchFigure } from '../../../bench/report.js';
import { warmReplay, HEAD_PACKETS } from '../../../bench/warm-replay.js';
import { REPO_ROOT, SAMPLE_POLICY } from '../../../bench/replay-child.js';

const tshark = findTshark();
let dir: string;
let file: string;
let truth: GenerationTruth;
/** tshark's view of every frame: number → [epoch seconds, cap_len] */
let frames: Map<number, [number, number]>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-honesty-'));
  file = path.join(dir, 'c.pcap');
  // > 4 MiB: the reader's default chunk, so the walk crosses chunk boundaries
  truth = await generateCapture({ calls: 6, durationSec: 8, seed: 3, videoBytes: 600 }, file);
  const out = execFileSync(tshark.path!, ['-r', file, '-n', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.cap_len'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  frames = new Map(out.trim().split('\n').map((l) => { const [n, t, c] = l.split('\t'); return [Number(n), [Number(t), Number(c)]]; }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the capture and the record counts every row divides by', () => {
  it('the capture spans several reader chunks', () => {
    expect(readFileSync(file).length).toBeGreaterThan(4 * 1024 * 1024 * 1.2);
  });

  it('the bare record walk reads every record: tshark\'s frame count and captured bytes', async () => {
    const w = await walkRecords(file);
    expect(w.records).toBe(frames.size);
    expect(w.records).toBe(truth.packets.total);
    expect(w.capturedBytes).toBe([...frames.values()].reduce((a, [, c]) => a + c, 0));
    expect(w.recordsPerSec).toBeCloseTo(w.records / w.seconds, 6);
    expect(w.fileBytes).toBe(readFileSync(file).length);
  });

  it('the packet-layer walk reads the same records, all UDP', async () => {
    const w = await walkPacketLayers(file);
    expect(w.records).toBe(frames.size);
    expect(w.udp).toBe(frames.size);
  });

  it('the naive werift pipeline reads every record and counts the truth\'s RTP and RTCP, no errors', async () => {
    const n = await weriftNaivePipeline(file);
    expect(n.records).toBe(truth.packets.total);
    expect([n.rtp, n.rtcp, n.other, n.errors]).toEqual([truth.packets.rtp, truth.packets.rtcp, truth.packets.sip, 0]);
    expect(n.packetsPerSec).toBeCloseTo(n.records / n.seconds, 6);
  });

  it('replay --workers 0, 1 and the default count every record as packets (the same count as the walk), rate = packets / wall', async () => {
    for (const workers of [0, 1, undefined]) {
      const r = await runReplayChild({ capture: file, ...(workers !== undefined ? { workers } : {}) });
      expect(r.summary.packets).toBe(truth.packets.total);
      expect([r.summary.rtp, r.summary.rtcp, r.summary.sip]).toEqual([truth.packets.rtp, truth.packets.rtcp, truth.packets.sip]);
      expect(r.packetsPerSec).toBeCloseTo(r.summary.packets / r.wallSeconds, 6);
    }
  });

  it('the warm engine child counts every record too; its rate is the last run\'s', async () => {
    const w = await warmReplay(file, SAMPLE_POLICY, 2);
    expect(w.packets).toBe(truth.packets.total);
    expect(w.packetsPerSec).toBeCloseTo(w.packets / w.seconds[1]!, 6);
    // a capture shorter than HEAD_PACKETS: the whole of it is the head
    expect(truth.packets.total).toBeLessThan(HEAD_PACKETS);
    expect(w.segments.map((s) => s.headPackets)).toEqual([truth.packets.total, truth.packets.total]);
  });
});

describe.skipIf(!tshark.path)("tshark's RTCP decode", () => {
  it('finds exactly the capture\'s RTCP datagrams (its frames are the truth\'s RTCP frames); its rate counts every record', async () => {
    const r = await tsharkRtcp(tshark.path!, tshark.version!, file, truth.packets.total, 1);
    expect(r.rtcpLines).toBe(truth.packets.rtcp);
    expect(r.packetsPerSec).toBeCloseTo(truth.packets.total / r.seconds, 6);
    const args = r.command.split(' ').slice(1);
    const out = execFileSync(tshark.path!, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    const got = out.trim().split('\n').map((l) => Number(l.split('\t')[0]));
    expect(got).toEqual(truth.rtcp.map((c) => c.frame));
    // and it decodes them: the packet types tshark printed are the compounds' types
    const pts = out.trim().split('\n').map((l) => l.split('\t')[1]!.split(',').map(Number));
    expect(pts).toEqual(truth.rtcp.map((c) => c.pts));
  });
});

describe("the generated capture's shape (issue: audio 50 pkt/s, video 120 pkt/s, RTCP about every second per stream)", () => {
  it('every audio stream sends 50 packets/s, every video stream 120 (tshark\'s frame times)', () => {
    const rates: Record<string, number[]> = { audio: [], video: [] };
    for (const c of truth.calls)
      for (const s of c.streams) {
        const span = frames.get(s.lastFrame)![0] - frames.get(s.firstFrame)![0];
        rates[s.kind]!.push((s.rtpPackets - 1) / span);
      }
    expect(rates.audio!.length).toBeGreaterThan(0);
    expect(rates.video!.length).toBeGreaterThan(0);
    for (const r of rates.audio!) expect(Math.abs(r - 50)).toBeLessThan(0.5);
    for (const r of rates.video!) expect(Math.abs(r - 120)).toBeLessThan(1);
  });

  it('every stream sends an RTCP compound about every second (every gap 0.75–1.25 s but the BYE\'s, mean over all ≈ 1 s)', () => {
    const bySsrc = new Map<number, number[]>();
    for (const c of truth.rtcp) bySsrc.set(c.ssrc, [...(bySsrc.get(c.ssrc) ?? []), frames.get(c.frame)![0]]);
    const streams = truth.calls.flatMap((c) => c.streams);
    expect(bySsrc.size).toBe(streams.length);
    const all: number[] = [];
    for (const ts of bySsrc.values()) {
      const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
      const body = gaps.slice(0, -1); // the last is the BYE at the stream's end
      for (const g of body) {
        expect(g).toBeGreaterThanOrEqual(0.7499);
        expect(g).toBeLessThanOrEqual(1.2501);
      }
      all.push(...body);
    }
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    expect(mean).toBeGreaterThan(0.95);
    expect(mean).toBeLessThan(1.05);
  });

  it('the default bench capture (115 calls × 30 s) has ≥ 1 M packets (per the results JSON the bench last wrote)', () => {
    const latest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'bench', 'results', 'latest.json'), 'utf8')) as { capture: { options: { calls: number; durationSec: number }; packets: { total: number } } };
    expect(latest.capture.options).toMatchObject({ calls: 115, durationSec: 30 });
    expect(latest.capture.packets.total).toBeGreaterThanOrEqual(1e6);
  });
});

describe('benchCapture (the cache in os.tmpdir())', () => {
  const opts = { calls: 2, durationSec: 3, seed: 424242, videoBytes: 100 };
  afterAll(() => {
    for (const f of readdirSync(CACHE_DIR)) if (f.startsWith('capture-c2-d3-s424242-v100-')) rmSync(path.join(CACHE_DIR, f), { force: true });
  });
  it("its packet counts are the file's records, generated and reused alike", async () => {
    const a = await benchCapture(opts);
    const b = await benchCapture(opts);
    expect(b.generated).toBe(false);
    expect(b.packets).toEqual(a.packets);
    expect((await walkRecords(a.path)).records).toBe(a.packets.total);
    expect(a.packets.total).toBe(a.packets.sip + a.packets.rtp + a.packets.rtcp);
  });
});

describe('peak RSS is the child process\'s, worker threads included', () => {
  it("a child whose worker thread touches 200 MiB reports a peak above 200 MiB (VmHWM)", () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'bench-rss-'));
    try {
      const out = path.join(d, 'fig.json');
      const code = `const { Worker } = require('node:worker_threads'); new Worker("const b = Buffer.alloc(200*1024*1024, 1); require('node:worker_threads').parentPort.postMessage(b[12345])", { eval: true }).on('message', () => process.exit(0));`;
      const r = spawnSync(process.execPath, ['--import', path.join(REPO_ROOT, 'dist', 'bench', 'child-cpu.js'), '-e', code], { env: { ...process.env, AIPREF_BENCH_CHILD_FILE: out } });
      expect(r.status).toBe(0);
      const fig = JSON.parse(readFileSync(out, 'utf8')) as { maxRssKb: number };
      expect(fig.maxRssKb).toBeGreaterThan(200 * 1024);
      expect(fig.maxRssKb).toBeLessThan(400 * 1024);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('report: the JSON and Markdown hold the figures as given', () => {
  it('writeResults writes the figures unchanged to <stamp>.json, latest.json, and markdownTable of them to <stamp>.md', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'bench-report-'));
    try {
      const figures: BenchFigure[] = [
        { suite: 'walk', name: 'w', value: 12345678.9, unit: 'records/s' },
        { suite: 'e2e', name: 'r', value: 654321.5, unit: 'packets/s', ratio: { to: 'record walk', value: 654321.5 / 12345678.9 }, note: 'n' },
      ];
      const f = await writeResults(d, figures, { x: 1 });
      const doc = JSON.parse(readFileSync(f, 'utf8')) as { figures: BenchFigure[]; x: number };
      expect(doc.figures).toEqual(figures);
      expect(readFileSync(path.join(d, 'latest.json'), 'utf8')).toBe(readFileSync(f, 'utf8'));
      expect(readFileSync(f.replace(/\.json$/, '.md'), 'utf8')).toBe(markdownTable(figures));
      // two significant figures below 1 (table-precision.test.ts): 0.053, not 0.05
      expect(markdownTable(figures)).toContain('| e2e | r | 654.3 k packets/s | 0.053× record walk | n |');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('bestOf returns the fastest of its runs', async () => {
    const secs = [3, 1, 2];
    let i = 0;
    const best = await bestOf(3, async () => ({ seconds: secs[i++]!, k: i }));
    expect(best).toEqual({ seconds: 1, k: 2 });
  });
});
