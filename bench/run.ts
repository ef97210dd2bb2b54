/**
 * `npm run bench [-- options]`: every benchmark of the enforcer in one run, on one generated
 * capture (≥ 1 million packets, cached in os.tmpdir()/aipref-bench/ by generator options):
 *
 *   (a) a bare record walk with readCaptureBatches — the speed limit (and the walk through the
 *       native-free packet layers);
 *   (b) the enforcer end to end: the real CLI, `replay --workers 0|1|default`, as a child
 *       process writing its exports to a temp dir — packets/s, ratio to (a), peak RSS; beside
 *       it, for insight, the fixed cost of a replay (the CLI on samples/call-small.pcap) and the
 *       engine's rate in a process that has replayed the capture before (bench/warm-replay.ts);
 *   (c) a naive werift pipeline (fixed offsets, RtcpPacketConverter / RtpPacket) over the records;
 *   (d) tshark's RTCP decode of the capture (median of 3 runs), when tshark is installed;
 *   (e) micro-benchmarks: bench/rtcp-decode.ts and the hot paths of bench/hot-paths.ts;
 *   and a CPU profile of `replay --workers 0` on a smaller capture, summarised by self time.
 *
 * Options:
 *   --runs N            end-to-end runs per worker setting (median reported: of an even N, the
 *                       midpoint of the two middle runs); default 5
 *   --calls N --duration S --video-bytes N   the main capture; default 115 calls × 30 s, 600 B video
 *   --large[=duration|calls]  also a capture 10× larger (10× the duration, or 10× the calls;
 *                       ~5.6 GB at the default video size, 200-byte video payloads when the disk
 *                       is short), replayed with --workers 0, 1 and the default for peak RSS
 *   --no-tshark --no-werift --no-micro --no-profile --no-live --no-split   leave a part out
 *   --help              prints these options
 *
 * (f) the live service (`live --udp`) on loopback: the highest datagram rate taken with no
 *     loss and the receipt → export latency (bench/live-load.ts).
 *
 * Prints a table (bench/report.ts) and writes bench/results/<stamp>.json, latest.json and the
 * table in Markdown, <stamp>.md (what the README's Performance section quotes).
 */
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchCapture, CACHE_DIR, warmPageCache, type BenchCapture, type BenchCaptureOptions } from './capture-cache.js';
import { benchHotPaths } from './hot-paths.js';
import { firstTouchCost } from './page-touch.js';
import { printProfile, profileReplay, type ProfileSummary } from './profile.js';
import { bestOf, walkPacketLayers, walkRecords, type WalkResult } from './record-walk.js';
import { REPO_ROOT, runReplayChild, SAMPLE_POLICY, type ReplayRun } from './replay-child.js';
import { printTable, writeResults, type BenchFigure } from './report.js';
import { benchLiveLoad } from './live-load.js';
import { benchRtcpDecode } from './rtcp-decode.js';
import { findTshark, tsharkRtcp, type TsharkResult } from './tshark.js';
import { splitByTraffic, TRAFFIC_PARTS, trafficFigures, type TrafficPart } from './traffic-split.js';
import { weriftNaivePipeline, type NaiveResult } from './werift-naive.js';
import { warmReplayChild } from './warm-replay.js';
import { met, TARGET_PEAK_RSS_MB, targetFigures } from './targets.js';
import { defaultWorkerCount } from '../src/pipeline/replay-engine.js';

const PROFILE_CAPTURE = { calls: 30, durationSec: 30 };
const SMALL_CAPTURE = path.join(REPO_ROOT, 'samples', 'call-small.pcap');
const WARM_RUNS = 4;
/** the worker counts every replay series compares: none, one, the default (undefined) */
const WORKER_SETTINGS = [0, 1, undefined] as const;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    calls: { type: 'string', default: '115' },
    duration: { type: 'string', default: '30' },
    'video-bytes': { type: 'string', default: '600' },
    seed: { type: 'string', default: '1' },
    large: { type: 'string' },
    'no-tshark': { type: 'boolean', default: false },
    'no-werift': { type: 'boolean', default: false },
    'no-micro': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'no-live': { type: 'boolean', default: false },
    'no-split': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  // `--large` alone is allowed: see below
  args: process.argv.slice(2).map((a) => (a === '--large' ? '--large=duration' : a)),
  allowPositionals: false,
});

if (args.help) {
  console.log(`usage: npm run bench -- [--runs N] [--calls N] [--duration S] [--video-bytes N] [--seed N] [--large[=duration|calls]]
                          [--no-tshark] [--no-werift] [--no-micro] [--no-profile] [--no-live] [--no-split]
(bench/run.ts says what each part measures)`);
  process.exit(0);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} takes a positive integer, not '${text}'`);
  return n;
}

const runs = positiveInt('runs', args.runs);
const mainOptions: BenchCaptureOptions = {
  calls: positiveInt('calls', args.calls),
  durationSec: positiveInt('duration', args.duration),
  seed: positiveInt('seed', args.seed),
  videoBytes: positiveInt('video-bytes', args['video-bytes']),
};
if (args.large !== undefined && args.large !== 'duration' && args.large !== 'calls') throw new Error(`--large takes duration or calls, not '${args.large}'`);

const log = (line: string) => console.error(`[bench] ${line}`);
const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(1));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * A series' medians, each taken over its runs on its own: of an even count of runs no run is the
 * median (the nearest one was reported as "median of N" and was the first run of two), so each
 * figure is the midpoint of its two middle values and no figure reads one chosen run.
 */
interface SeriesMedians {
  wallSeconds: number;
  /** the packets over the median wall time: the rate the wall time in the note gives */
  packetsPerSec: number;
  cpuSeconds: number;
  /** over the runs where /proc told it; undefined where none did */
  mainThreadCpuSeconds: number | undefined;
}

interface ReplaySeries {
  label: string;
  workers: number | undefined;
  runs: ReplayRun[];
  /** the packets every run replayed (the same capture each time; the summaries are compared below) */
  packets: number;
  median: SeriesMedians;
  /** the max over the runs, not a median: the memory target is about the worst run */
  peakRssMB: number;
}

function seriesMedians(runs: readonly ReplayRun[], packets: number): SeriesMedians {
  const wallSeconds = median(runs.map((r) => r.wallSeconds));
  const mainCpu = runs.flatMap((r) => (r.mainThreadCpuSeconds !== undefined ? [r.mainThreadCpuSeconds] : []));
  return {
    wallSeconds,
    packetsPerSec: packets / wallSeconds,
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    mainThreadCpuSeconds: mainCpu.length > 0 ? median(mainCpu) : undefined,
  };
}

/**
 * `count` runs of the CLI for each worker setting, interleaved (0, 1, default, 0, 1, default,
 * …): a machine whose speed drifts during the bench then weighs on every setting alike, and
 * their medians compare.
 */
async function replaySeries(capture: Pick<BenchCapture, 'path'>, settings: readonly (number | undefined)[], count: number): Promise<ReplaySeries[]> {
  const label = (workers: number | undefined) => (workers === undefined ? `replay (default workers = ${defaultWorkerCount()})` : `replay --workers ${workers}`);
  const done: ReplayRun[][] = settings.map(() => []);
  await warmPageCache(capture.path);
  for (let r = 0; r < count; r++) {
    for (const [k, workers] of settings.entries()) {
      const run = await runReplayChild({ capture: capture.path, ...(workers !== undefined ? { workers } : {}) });
      log(
        `${label(workers)} (${path.basename(capture.path)}) run ${r + 1}/${count}: ${run.wallSeconds.toFixed(2)} s wall` +
          `, ${cpuText(run, 2)}` +
          `, ${fmt(run.packetsPerSec)} packets/s, peak RSS ${run.peakRssMB.toFixed(0)} MB, ${fmt(run.minorPageFaults)} page faults, exports ${(run.exportsBytes / 1e6).toFixed(1)} MB`,
      );
      done[k]!.push(run);
    }
  }
  return settings.map((workers, k) => {
    const runs = done[k]!;
    const packets = runs[0]!.summary.packets;
    return { label: label(workers), workers, runs, packets, median: seriesMedians(runs, packets), peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)) };
  });
}

/**
 * Where a `--workers 0` replay's time goes by kind of traffic (bench/traffic-split.ts): the
 * capture without its RTCP, its SIP and RTCP alone, its SIP alone and none of it, replayed as
 * the whole capture was (one after the other, `count` rounds, medians). Each part replays its
 * packets without the others (its streams are made by RTCP alone, or by RTP alone), so the
 * paths' figures are near what they cost in the whole replay, not exact shares of it.
 */
async function timeByTraffic(capture: BenchCapture, whole: ReplaySeries, walk: WalkResult, count: number, figures: BenchFigure[]) {
  log('replay --workers 0 of the capture split by traffic (bench/traffic-split.ts) ...');
  const split = await splitByTraffic(capture);
  log(`  ${split.written ? 'wrote' : 'reusing'} ${Object.values(split.parts).map((p) => `${path.basename(p.path)} (${p.packets} packets)`).join(', ')}`);
  const parts = Object.keys(TRAFFIC_PARTS) as TrafficPart[];
  const runsOf = new Map<TrafficPart, ReplayRun[]>(parts.map((part) => [part, []]));
  for (let r = 0; r < count; r++) {
    for (const part of parts) {
      const [s] = await replaySeries({ path: split.parts[part].path }, [0], 1);
      const packets = s!.runs[0]!.summary.packets;
      if (packets !== split.parts[part].packets) throw new Error(`${split.parts[part].path}: the replay counted ${packets} packets, the split wrote ${split.parts[part].packets}`);
      runsOf.get(part)!.push(...s!.runs);
    }
  }
  const timing = Object.fromEntries(parts.map((part) => [part, seriesMedians(runsOf.get(part)!, split.parts[part].packets)])) as Record<TrafficPart, SeriesMedians>;
  const derived = trafficFigures(split, timing, whole.median, walk.recordsPerSec, count);
  figures.push(...derived.figures);
  return {
    parts: Object.fromEntries(parts.map((part) => [part, { file: path.basename(split.parts[part].path), packets: split.parts[part].packets }])),
    counts: split.counts,
    medians: timing,
    rtcpMicrosPerCompound: derived.rtcpMicrosPerCompound,
    sipMicrosPerMessage: derived.sipMicrosPerMessage,
  };
}

/** A replay's CPU time, every thread's and, where /proc tells, the main thread's. */
function cpuText(run: { cpuSeconds: number; mainThreadCpuSeconds?: number | undefined }, digits: number): string {
  const main = run.mainThreadCpuSeconds !== undefined ? ` (main thread ${run.mainThreadCpuSeconds.toFixed(digits)} s)` : '';
  return `${run.cpuSeconds.toFixed(digits)} s CPU${main}`;
}

/** The summary lines that SPEC §8 says do not depend on --workers. */
function summaryKey(run: ReplayRun): string {
  const { packets, rtp, rtcp, sip, malformed, streams, dialogs, telemetry, reports } = run.summary;
  return JSON.stringify({ packets, rtp, rtcp, sip, malformed, streams, dialogs, telemetry, reports });
}

async function main(): Promise<void> {
  const started = performance.now();
  const figures: BenchFigure[] = [];
  const context: Record<string, unknown> = { command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), cacheDir: CACHE_DIR, loadAverageAtStart: os.loadavg() };
  const load = os.loadavg()[0]!;
  if (load > defaultWorkerCount() / 2) log(`note: load average ${load.toFixed(2)} on ${defaultWorkerCount()} cores: other processes are running, the figures will be noisy`);

  // The capture every figure is measured on.
  const capture = await benchCapture(mainOptions, log);
  if (capture.packets.total < 1e6) log(`note: the capture has ${capture.packets.total} packets, fewer than the 1 million the targets speak of`);
  context.capture = { ...capture, path: path.basename(capture.path) };
  const captureNote = `${fmt(capture.packets.total)} packets, ${(capture.bytes / 1e6).toFixed(0)} MB`;

  // (a) the speed limit
  log(`(a) bare record walk, best of 3 (the capture read through once first: ${(await warmPageCache(capture.path)).toFixed(2)} s) ...`);
  const walk: WalkResult = await bestOf(3, () => walkRecords(capture.path));
  figures.push({ suite: 'walk', name: 'bare record walk (readCaptureBatches)', value: walk.recordsPerSec, unit: 'records/s', note: `${walk.mbPerSec.toFixed(0)} MB/s; ${captureNote}; best of 3` });
  const layers = await bestOf(3, () => walkPacketLayers(capture.path));
  figures.push({
    suite: 'walk',
    name: 'record walk + packet layers (PacketDecoder)',
    value: layers.recordsPerSec,
    unit: 'records/s',
    ratio: { to: 'record walk', value: layers.recordsPerSec / walk.recordsPerSec },
    note: `${layers.mbPerSec.toFixed(0)} MB/s; best of 3`,
  });
  context.walk = { bare: walk, packetLayers: layers };

  // (d) tshark first, so that the end-to-end notes can give the ratio to it
  let tshark: TsharkResult | undefined;
  if (args['no-tshark']) context.tshark = { skipped: '--no-tshark' };
  else {
    const found = findTshark();
    if (!found.path) {
      console.log(`tshark: skipped: ${found.reason}`);
      context.tshark = { skipped: found.reason };
    } else {
      log(`(d) ${found.version!.replace(/^TShark \(Wireshark\) ([^ ]+).*/, 'tshark $1')}: RTCP decode of the capture ...`);
      await warmPageCache(capture.path);
      tshark = await tsharkRtcp(found.path, found.version!, capture.path, capture.packets.total);
      log(`  ${tshark.runs.map((t) => t.toFixed(1)).join(', ')} s (median ${tshark.seconds.toFixed(1)} s), ${tshark.rtcpLines} RTCP packets found (capture has ${capture.packets.rtcp} RTCP datagrams)`);
      context.tshark = tshark;
    }
  }

  // What fresh memory costs here: the replays' page faults below are read at this price.
  const touch = firstTouchCost();
  figures.push({
    suite: 'e2e',
    name: 'machine: first touch of a fresh 4 KiB page',
    value: touch.firstTouchMicros,
    unit: 'µs',
    note: `a page fault; median of 3 passes over ${touch.megabytes} MiB (bench/page-touch.ts)`,
  });
  context.pageTouch = touch;

  // (b) the enforcer end to end
  log(`(b) replay --workers 0, 1 and the default, ${runs} run(s) each, interleaved ...`);
  const series = await replaySeries(capture, WORKER_SETTINGS, runs);
  for (const s of series) {
    const m = s.median;
    const cpu = `, ${m.cpuSeconds.toFixed(1)} s CPU`;
    figures.push({
      suite: 'e2e',
      name: s.label,
      value: m.packetsPerSec,
      unit: 'packets/s',
      ratio: { to: 'record walk', value: m.packetsPerSec / walk.recordsPerSec },
      note:
        `${tshark ? `${(m.packetsPerSec / tshark.packetsPerSec).toFixed(1)}× tshark; ` : ''}peak RSS ${s.peakRssMB.toFixed(0)} MB; ` +
        `${m.wallSeconds.toFixed(2)} s wall${cpu}; median of ${s.runs.length}`,
    });
    const cpuRates = s.runs.map((r) => r.summary.packets / r.cpuSeconds);
    const cpuMedian = m.cpuSeconds;
    figures.push({ suite: 'e2e', name: `${s.label}: per CPU-second`, value: median(cpuRates), unit: 'packets/CPU-s', note: 'user+sys of the child, all threads; steadier than wall time on a busy machine' });
    const mainCpuRuns = s.runs.filter((r) => r.mainThreadCpuSeconds !== undefined).length;
    if (m.mainThreadCpuSeconds !== undefined) {
      figures.push({
        suite: 'e2e',
        name: `${s.label}: main thread CPU`,
        value: m.mainThreadCpuSeconds,
        unit: 's',
        note: `median of ${mainCpuRuns}, of ${cpuMedian.toFixed(2)} s for every thread: Node's start, reading, packet layers, signaling, writing${s.workers === 0 ? ', and here the media too' : ''}`,
      });
    }
    const faults = median(s.runs.map((r) => r.minorPageFaults));
    figures.push({
      suite: 'e2e',
      name: `${s.label}: minor page faults`,
      value: faults,
      unit: 'faults',
      note:
        `median of ${s.runs.length}; first touches of fresh memory, ~${((faults * touch.firstTouchMicros) / 1000).toFixed(0)} ms of CPU at this machine's ${touch.firstTouchMicros.toFixed(1)} µs each; ` +
        `system CPU time ${median(s.runs.map((r) => r.systemCpuSeconds)).toFixed(2)} s of the ${cpuMedian.toFixed(2)} s (on the bench machine a fault shows in user and system time both)`,
    });
    figures.push({ suite: 'e2e', name: `${s.label}: peak RSS`, value: s.peakRssMB, unit: 'MB', note: `max of ${s.runs.length} runs (the child's VmHWM at exit, bench/child-cpu.ts)` });
  }
  // What a replay costs before its first packet and after its last (Node's start, loading the
  // modules, starting the worker threads, the first compilation of every path), read off a
  // replay of the smallest sample capture: the rest of the wall time is the capture's own.
  const startup = new Map<number | undefined, number>();
  for (const small of await replaySeries({ path: SMALL_CAPTURE }, WORKER_SETTINGS, runs)) {
    const workers = small.workers;
    const label = workers === undefined ? 'default workers' : `--workers ${workers}`;
    startup.set(workers, small.median.wallSeconds);
    figures.push({
      suite: 'e2e',
      name: `fixed cost: replay ${label} of samples/call-small.pcap (${small.packets} packets)`,
      value: small.median.wallSeconds * 1000,
      unit: 'ms',
      note: `median of ${small.runs.length}; Node start-up, module loading, worker start, first compilations`,
    });
  }
  for (const s of series) {
    const net = s.median.wallSeconds - startup.get(s.workers)!;
    if (net <= 0) continue;
    figures.push({
      suite: 'e2e',
      name: `${s.label}: net of its fixed cost`,
      value: s.packets / net,
      unit: 'packets/s',
      ratio: { to: 'record walk', value: s.packets / net / walk.recordsPerSec },
      note: `(${s.median.wallSeconds.toFixed(2)} − ${startup.get(s.workers)!.toFixed(2)}) s; shown for insight, the targets are judged on the whole wall time`,
    });
  }
  context.fixedCostSeconds = Object.fromEntries([...startup].map(([w, sec]) => [w ?? 'default', sec]));
  context.byTraffic = args['no-split'] ? { skipped: '--no-split' } : await timeByTraffic(capture, series.find((s) => s.workers === 0)!, walk, runs, figures);

  // The engine once the process is warm: what the per-packet work costs on its own.
  log(`replay engine, --workers 0, ${WARM_RUNS} runs in a row in one child process ...`);
  await warmPageCache(capture.path);
  const warm = await warmReplayChild(capture.path, SAMPLE_POLICY, WARM_RUNS);
  figures.push({
    suite: 'e2e',
    name: `replay engine, --workers 0, run ${WARM_RUNS} of ${WARM_RUNS} in one process`,
    value: warm.packetsPerSec,
    unit: 'packets/s',
    ratio: { to: 'record walk', value: warm.packetsPerSec / walk.recordsPerSec },
    note: `runs took ${warm.seconds.map((x) => x.toFixed(2)).join(', ')} s: the first pays for compiling the hot paths; shown for insight, not a target figure`,
  });
  // The same child's first run, cut in two: the capture's first packets, where every call is set
  // up and every code path runs for the first time, and the rest, which runs on compiled code.
  const cold = warm.segments[0]!;
  const last = warm.segments[warm.segments.length - 1]!;
  figures.push({
    suite: 'e2e',
    name: `replay engine, --workers 0, first run: its first ${(cold.headPackets / 1000).toFixed(0)} k packets`,
    value: cold.headSeconds * 1000,
    unit: 'ms',
    note: `first batch done after ${(cold.firstBatchSeconds * 1000).toFixed(0)} ms; in run ${WARM_RUNS}: ${(last.headSeconds * 1000).toFixed(0)} ms (first batch ${(last.firstBatchSeconds * 1000).toFixed(0)} ms). The calls' set-up and the first compilation of every path fall here`,
  });
  // A capture no longer than the head has no packets after it: no rate to show (not 0 packets/s).
  if (warm.packets > cold.headPackets) {
    figures.push({
      suite: 'e2e',
      name: `replay engine, --workers 0, first run: the packets after those`,
      value: cold.restPacketsPerSec,
      unit: 'packets/s',
      ratio: { to: 'record walk', value: cold.restPacketsPerSec / walk.recordsPerSec },
      note: `${((warm.packets - cold.headPackets) / 1e6).toFixed(2)} M packets; in run ${WARM_RUNS}: ${(last.restPacketsPerSec / 1e6).toFixed(2)} M/s; shown for insight, not a target figure`,
    });
  }
  context.warmReplay = warm;

  // every run's summary, not one per setting: the figures above count the first run's packets
  const keys = new Map(series.map((s) => [s.label, [...new Set(s.runs.map(summaryKey))]]));
  const distinct = new Set([...keys.values()].flat());
  if (distinct.size > 1) {
    console.log('\nWARNING: replay summaries differ between runs or with --workers (SPEC §8: "Results are identical whatever --workers is"):');
    for (const [label, labelKeys] of keys) for (const key of labelKeys) console.log(`  ${label}: ${key}`);
  }
  context.replay = series.map((s) => ({ label: s.label, workers: s.workers ?? defaultWorkerCount(), peakRssMB: s.peakRssMB, runs: s.runs }));
  context.replaySummariesIdentical = distinct.size === 1;

  // (c) the naive werift pipeline
  let naive: NaiveResult | undefined;
  if (!args['no-werift']) {
    log('(c) naive werift pipeline ...');
    await warmPageCache(capture.path);
    naive = await weriftNaivePipeline(capture.path);
    log(`  ${naive.seconds.toFixed(1)} s: ${naive.rtp} RTP, ${naive.rtcp} RTCP (${naive.rtcpPackets} packets), ${naive.other} other, ${naive.errors} errors`);
    figures.push({
      suite: 'baseline',
      name: 'naive werift pipeline (RtpPacket + RtcpPacketConverter)',
      value: naive.packetsPerSec,
      unit: 'packets/s',
      ratio: { to: 'record walk', value: naive.packetsPerSec / walk.recordsPerSec },
      note: `${tshark ? `${(naive.packetsPerSec / tshark.packetsPerSec).toFixed(1)}× tshark; ` : ''}decode and count only; in-process`,
    });
    context.werift = naive;
  }
  if (tshark) {
    figures.push({
      suite: 'baseline',
      name: 'tshark RTCP decode (-Y rtcp, heuristic RTCP)',
      value: tshark.packetsPerSec,
      unit: 'packets/s',
      ratio: { to: 'record walk', value: tshark.packetsPerSec / walk.recordsPerSec },
      note: `${tshark.version.replace(/^TShark \(Wireshark\) ([^ ]+).*/, 'tshark $1')}; ${tshark.seconds.toFixed(1)} s, the median of ${tshark.runs.map((t) => t.toFixed(1)).join(', ')} s; ${tshark.rtcpLines} RTCP lines`,
    });
  }

  // (e) micro-benchmarks
  if (!args['no-micro']) {
    log('(e) RTCP decode micro-benchmark (bench/rtcp-decode.ts) ...');
    for (const f of await benchRtcpDecode()) {
      figures.push({ suite: 'micro', name: f.name, value: f.ops, unit: f.unit, ...(f.ratio !== undefined ? { ratio: { to: 'werift', value: f.ratio } } : {}), note: 'synthetic mix' });
    }
    log('(e) hot-path micro-benchmarks on capture records ...');
    for (const f of await benchHotPaths(capture.path)) {
      figures.push({
        suite: 'micro',
        name: f.name,
        value: f.ops,
        unit: f.unit,
        ...(f.baseline ? { ratio: { to: f.baseline.name, value: f.ops / f.baseline.ops }, note: `${f.baseline.name}: ${fmt(f.baseline.ops)} ${f.unit}` } : {}),
      });
    }
  }

  // The 10× larger capture, for the memory target.
  let largeSeries: ReplaySeries[] | null = null;
  if (args.large !== undefined) {
    const byCalls = args.large === 'calls';
    let videoBytes = mainOptions.videoBytes;
    const estimate = capture.bytes * 10;
    const fs = await statfs(CACHE_DIR);
    const free = fs.bavail * fs.bsize;
    if (free < estimate * 2) {
      videoBytes = Math.min(videoBytes, 200);
      log(`only ${(free / 1e9).toFixed(1)} GB free in ${CACHE_DIR}: the large capture uses ${videoBytes}-byte video payloads`);
    }
    const largeOptions: BenchCaptureOptions = {
      ...mainOptions,
      calls: byCalls ? mainOptions.calls * 10 : mainOptions.calls,
      durationSec: byCalls ? mainOptions.durationSec : mainOptions.durationSec * 10,
      videoBytes,
    };
    const large = await benchCapture(largeOptions, log);
    const how = `${byCalls ? '10× calls' : '10× duration'}: ${large.options.calls} calls × ${large.options.durationSec} s, ${fmt(large.packets.total)} packets, ${(large.bytes / 1e9).toFixed(1)} GB` + (videoBytes !== mainOptions.videoBytes ? `, video payload ${videoBytes} B` : '');
    log('large: bare record walk ...');
    // best of two: the first walk may read the file from disk (5.6 GB), the replays after it find it cached
    const largeWalk = await bestOf(2, () => walkRecords(large.path));
    figures.push({ suite: 'large', name: 'bare record walk', value: largeWalk.recordsPerSec, unit: 'records/s', note: `${largeWalk.mbPerSec.toFixed(0)} MB/s; best of 2; ${how}` });
    log('large: replay --workers 0, 1 and the default ...');
    largeSeries = await replaySeries(large, WORKER_SETTINGS, 1);
    for (const s of largeSeries) {
      const m = s.median;
      figures.push({ suite: 'large', name: s.label, value: m.packetsPerSec, unit: 'packets/s', ratio: { to: 'record walk', value: m.packetsPerSec / largeWalk.recordsPerSec }, note: `${m.wallSeconds.toFixed(1)} s wall, ${cpuText(m, 1)}` });
      figures.push({ suite: 'large', name: `${s.label}: peak RSS`, value: s.peakRssMB, unit: 'MB', note: `target < ${TARGET_PEAK_RSS_MB} MB: ${met(s.peakRssMB < TARGET_PEAK_RSS_MB)}` });
    }
    context.large = { capture: { ...large, path: path.basename(large.path) }, walk: largeWalk, replay: largeSeries.flatMap((s) => s.runs) };
  }

  // The targets (shown, not enforced).
  figures.push(...targetFigures({ series, walkRecordsPerSec: walk.recordsPerSec, tsharkPacketsPerSec: tshark ? tshark.packetsPerSec : null, largeSeries }));

  // (f) the live service under load on loopback (issue 7)
  if (!args['no-live']) {
    log('(f) live --udp loopback load ...');
    figures.push(...(await benchLiveLoad()));
  }

  console.log(`\ncapture: ${path.basename(capture.path)} (${captureNote}, page cache warm); load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.availableParallelism()} cores`);
  printTable(figures);

  // Where replay's time goes.
  let profile: ProfileSummary | undefined;
  if (!args['no-profile']) {
    const small = await benchCapture({ ...mainOptions, ...PROFILE_CAPTURE }, log);
    profile = await profileReplay(small.path, 25);
    printProfile(profile, 15);
    context.profile = { capture: path.basename(small.path), ...profile };
  }

  context.loadAverageAtEnd = os.loadavg();
  context.seconds = (performance.now() - started) / 1000;
  const file = await writeResults(path.join(REPO_ROOT, 'bench', 'results'), figures, context);
  console.log(`\nwrote ${path.relative(process.cwd(), file)} (${(context.seconds as number).toFixed(0)} s in all)`);
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
