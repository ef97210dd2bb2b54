/**
 * The enforcer end to end, as an operator runs it: `aipref-enforcer replay <capture> --policy
 * samples/policy.json --out <temp dir> [--workers n] --quiet --json` in a child process, so that
 * its peak resident memory is its own. Peak RSS comes from `/usr/bin/time -v` when present, else
 * from process.resourceUsage().maxRSS written by bench/peak-rss-child.ts in the child. The wall
 * time is the child's whole life as seen from here (Node start-up and writing the exports
 * included).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplaySummary } from '../src/pipeline/replay-engine.js';

/** dist/bench/ → the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(REPO_ROOT, 'bin', 'aipref-enforcer.js');
const RSS_WRAPPER = path.join(REPO_ROOT, 'dist', 'bench', 'peak-rss-child.js');
const TIME = '/usr/bin/time';
/** the policy the bench replays with unless told otherwise */
export const SAMPLE_POLICY = path.join(REPO_ROOT, 'samples', 'policy.json');

/** the `replay --json` summary (SPEC §8), as the engine makes it */
export type ReplaySummaryJson = ReplaySummary;

export interface ReplayRun {
  /** undefined: the CLI's default (os.availableParallelism()) */
  workers: number | undefined;
  wallSeconds: number;
  userSeconds?: number;
  systemSeconds?: number;
  peakRssMB: number;
  rssSource: '/usr/bin/time -v' | 'process.resourceUsage()';
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

function timeField(text: string, label: string): number | undefined {
  const m = new RegExp(`^\\s*${label.replace(/[()]/g, '\\$&')}:\\s*([0-9.]+)\\s*$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

export async function runReplayChild(o: ReplayChildOptions): Promise<ReplayRun & { outDir?: string }> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'aipref-bench-out-'));
  const rssFile = path.join(outDir, 'maxrss.txt');
  const useTime = existsSync(TIME);
  const cliArgs = ['replay', o.capture, '--policy', o.policy ?? SAMPLE_POLICY, '--out', outDir, '--quiet', '--json'];
  if (o.workers !== undefined) cliArgs.push('--workers', String(o.workers));
  const nodeArgs = [...(o.nodeArgs ?? []), useTime ? CLI : RSS_WRAPPER, ...cliArgs];
  const [cmd, args] = useTime ? [TIME, ['-v', process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const started = performance.now();
  const { code, stdout, stderr } = await run(cmd, args, { ...process.env, AIPREF_BENCH_RSS_FILE: rssFile });
  const wallSeconds = (performance.now() - started) / 1000;
  try {
    if (code !== 0) throw new Error(`replay --workers ${o.workers ?? 'default'} exited with ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as ReplaySummaryJson;
    let peakKb: number | undefined;
    let userSeconds: number | undefined;
    let systemSeconds: number | undefined;
    if (useTime) {
      peakKb = timeField(stderr, 'Maximum resident set size (kbytes)');
      userSeconds = timeField(stderr, 'User time (seconds)');
      systemSeconds = timeField(stderr, 'System time (seconds)');
    } else {
      peakKb = Number((await readFile(rssFile, 'utf8')).trim());
    }
    if (peakKb === undefined || !Number.isFinite(peakKb)) throw new Error('no peak RSS figure from the replay child');
    const exportsBytes = (await stat(path.join(outDir, 'exports.ndjson'))).size;
    return {
      workers: o.workers,
      wallSeconds,
      ...(userSeconds !== undefined ? { userSeconds } : {}),
      ...(systemSeconds !== undefined ? { systemSeconds } : {}),
      peakRssMB: (peakKb * 1024) / 1e6,
      rssSource: useTime ? '/usr/bin/time -v' : 'process.resourceUsage()',
      summary,
      exportsBytes,
      packetsPerSec: summary.packets / wallSeconds,
      ...(o.keepOutput ? { outDir } : {}),
    };
  } finally {
    if (!o.keepOutput) await rm(outDir, { recursive: true, force: true });
  }
}
