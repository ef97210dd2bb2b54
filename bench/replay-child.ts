/**
 * The enforcer end to end, as an operator runs it: `aipref-enforcer replay <capture> --policy
 * samples/policy.json --out <temp dir> [--workers n] --quiet --json` in a child process, so that
 * its peak resident memory is its own. Peak RSS and CPU time, the main thread's apart, are what
 * bench/child-cpu.ts, loaded ahead of the CLI, writes at the child's exit. The wall time is the
 * child's whole life as seen from here (Node start-up and writing the exports included).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ReplaySummary } from '../src/pipeline/replay-engine.js';
import type { ChildFigures } from './child-cpu.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** the repository root: above dist/bench/ when compiled, above bench/ when a test runs the source */
export const REPO_ROOT = path.basename(path.dirname(HERE)) === 'dist' ? path.resolve(HERE, '..', '..') : path.resolve(HERE, '..');
const CLI = path.join(REPO_ROOT, 'bin', 'aipref-enforcer.js');
const CHILD_HOOK = pathToFileURL(path.join(REPO_ROOT, 'dist', 'bench', 'child-cpu.js')).href;
/** the policy the bench replays with unless told otherwise */
export const SAMPLE_POLICY = path.join(REPO_ROOT, 'samples', 'policy.json');

/** the `replay --json` summary (SPEC §8), as the engine makes it */
export type ReplaySummaryJson = ReplaySummary;

export interface ReplayRun {
  /** undefined: the CLI's default (os.availableParallelism()) */
  workers: number | undefined;
  wallSeconds: number;
  /** user + system CPU time of the child, every thread */
  cpuSeconds: number;
  /** of cpuSeconds, the kernel's (system) time: reads, writes, page faults */
  systemCpuSeconds: number;
  /** first touches of fresh pages (bench/child-cpu.ts) */
  minorPageFaults: number;
  /** CPU time of the main thread (reading, packet layers, signaling, writing), where /proc tells */
  mainThreadCpuSeconds?: number;
  /** the child's peak resident set size (process.resourceUsage().maxRSS at its exit) */
  peakRssMB: number;
  summary: ReplaySummaryJson;
  exportsBytes: number;
  packetsPerSec: number;
}

export interface ReplayChildOptions {
  capture: string;
  policy?: string;
  workers?: number;
  /** extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir', dir] */
  nodeArgs?: string[];
  /** keep the output folder (its path is returned in `outDir`) */
  keepOutput?: boolean;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function runReplayChild(o: ReplayChildOptions): Promise<ReplayRun & { outDir?: string }> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'aipref-bench-out-'));
  const figuresFile = path.join(outDir, 'child-figures.json');
  const cliArgs = ['replay', o.capture, '--policy', o.policy ?? SAMPLE_POLICY, '--out', outDir, '--quiet', '--json'];
  if (o.workers !== undefined) cliArgs.push('--workers', String(o.workers));
  const nodeArgs = [...(o.nodeArgs ?? []), '--import', CHILD_HOOK, CLI, ...cliArgs];
  const started = performance.now();
  const { code, stdout, stderr } = await run(process.execPath, nodeArgs, { ...process.env, AIPREF_BENCH_CHILD_FILE: figuresFile });
  const wallSeconds = (performance.now() - started) / 1000;
  try {
    if (code !== 0) throw new Error(`replay --workers ${o.workers ?? 'default'} exited with ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as ReplaySummaryJson;
    const child = JSON.parse(await readFile(figuresFile, 'utf8')) as ChildFigures;
    const exportsBytes = (await stat(path.join(outDir, 'exports.ndjson'))).size;
    return {
      workers: o.workers,
      wallSeconds,
      cpuSeconds: child.processCpuSeconds,
      systemCpuSeconds: child.systemCpuSeconds,
      minorPageFaults: child.minorPageFaults,
      ...(child.mainThreadCpuSeconds !== undefined ? { mainThreadCpuSeconds: child.mainThreadCpuSeconds } : {}),
      peakRssMB: (child.maxRssKb * 1024) / 1e6,
      summary,
      exportsBytes,
      packetsPerSec: summary.packets / wallSeconds,
      ...(o.keepOutput ? { outDir } : {}),
    };
  } finally {
    if (!o.keepOutput) await rm(outDir, { recursive: true, force: true });
  }
}
