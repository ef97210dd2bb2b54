/**
 * Runs bench/run.ts's main() with every measuring module replaced by canned figures (the
 * vi.mock calls live in each test file, which hands its script of replay walls here), and
 * returns the figures it printed and the ones it would have written to bench/results/ (the
 * write is mocked: nothing is written).
 */
import type { BenchFigure } from '../../../bench/report.js';

export interface Captured {
  printed: BenchFigure[][];
  written: { dir: string; figures: BenchFigure[]; context: Record<string, unknown> }[];
  errors: unknown[][];
}

export const captured: Captured = { printed: [], written: [], errors: [] };

export const BIG = '/x/big.pcap';
export const PACKETS = 1_000_000;
export const WALK_RATE = 1e7;
export const TSHARK_RATE = 5e4;

/** wall seconds per (capture, workers), in run order */
export const walls = new Map<string, number[]>();
export const key = (capture: string, workers: number | undefined) => `${capture === BIG ? 'big' : 'small'}:${workers ?? 'default'}`;

/**
 * The traffic split's parts of BIG (bench/traffic-split.ts splitByTraffic, mocked in each test
 * file by splitParts): their packets, and the wall every replay of one takes.
 */
export const PART_COUNTS = { sip: 1000, rtp: 990_000, rtcp: 9000 };
export const PART_RUNS = {
  'no-rtcp': { packets: PART_COUNTS.sip + PART_COUNTS.rtp, wall: 0.5 },
  'sip-rtcp': { packets: PART_COUNTS.sip + PART_COUNTS.rtcp, wall: 0.4 },
  sip: { packets: PART_COUNTS.sip, wall: 0.2 },
  empty: { packets: 0, wall: 0.1 },
} as const;
const partOf = (capture: string) => (Object.keys(PART_RUNS) as (keyof typeof PART_RUNS)[]).find((part) => capture === `/x/big.${part}.pcap`);

/** splitByTraffic's answer for BIG: its four parts, none written */
export function splitParts() {
  return {
    parts: Object.fromEntries(Object.entries(PART_RUNS).map(([part, r]) => [part, { path: `/x/big.${part}.pcap`, packets: r.packets }])),
    counts: PART_COUNTS,
    written: false,
  };
}

export function fakeRun(o: { capture: string; workers?: number }) {
  const part = partOf(o.capture);
  const k = key(o.capture, o.workers);
  const wall = part !== undefined ? PART_RUNS[part].wall : walls.get(k)!.shift()!;
  const packets = part !== undefined ? PART_RUNS[part].packets : o.capture === BIG ? PACKETS : 440;
  return {
    workers: o.workers,
    wallSeconds: wall,
    cpuSeconds: wall * 1.5,
    systemCpuSeconds: 0.1,
    minorPageFaults: 1000,
    mainThreadCpuSeconds: wall,
    peakRssMB: 100 + wall,
    summary: { packets, rtp: 0, rtcp: 0, sip: 0, malformed: 0, streams: 0, dialogs: 0, telemetry: { export: 0, aggregate: 0, drop: 0 }, reports: {} },
    exportsBytes: 1,
    packetsPerSec: packets / wall,
  };
}

/** Imports bench/run.ts with these argv and waits for its writeResults (mocked). */
export async function runBench(argv: string[]): Promise<Captured> {
  const saved = process.argv;
  process.argv = [process.argv[0]!, 'run.js', ...argv];
  const log = console.log;
  const err = console.error;
  console.log = () => {};
  console.error = (...a: unknown[]) => {
    captured.errors.push(a);
  };
  try {
    await import('../../../bench/run.js');
    const deadline = Date.now() + 20_000;
    while (captured.written.length === 0 && Date.now() < deadline) {
      if (process.exitCode === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    process.argv = saved;
    console.log = log;
    console.error = err;
  }
  if (captured.written.length === 0) {
    process.exitCode = undefined;
    throw new Error(`bench main did not finish (exitCode ${String(process.exitCode)}, printed ${captured.printed.length}): ${captured.errors.map((e) => e.join(' ')).join('\n')}`);
  }
  return captured;
}
