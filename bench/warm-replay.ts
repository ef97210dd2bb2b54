/**
 * The replay engine in a process that has replayed the capture before: `replayCapture` with
 * --workers 0 called several times in one child process (`node dist/bench/warm-replay.js
 * <capture> <policy> <runs>` prints the result as JSON), each run with the policy file loaded
 * afresh and its exports and reports written to NDJSON files in a temp dir, as the CLI does.
 * The last run's time is what the engine costs once Node has started, the modules are loaded
 * and the JIT has compiled the hot paths: set beside the CLI's figures, it says how much of a
 * short replay's wall time is the per-process cost rather than the per-packet one.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_WINDOW_SEC } from '../src/enforce/windows.js';
import { replayOutputs } from '../src/cli/replay.js';
import { BATCH_V8_FLAGS } from '../src/cli/v8-flags.js';
import { loadPolicyFile } from '../src/policy/policy-file.js';
import { replayCapture } from '../src/pipeline/replay-engine.js';

/**
 * Where a run's time goes: its start (the policy, the output files, up to the first batch),
 * the capture's first HEAD_PACKETS packets (where the calls are set up and every code path runs
 * for the first time) and the rest's rate.
 */
export interface RunSegments {
  /** policy loaded, files opened, first batch read: seconds until the engine reported its first batch done */
  firstBatchSeconds: number;
  /** seconds until HEAD_PACKETS packets were done (from the run's start) */
  headSeconds: number;
  headPackets: number;
  /** packets per second over the rest of the capture, to the run's end */
  restPacketsPerSec: number;
}

export interface WarmReplayResult {
  packets: number;
  /** every run's seconds, first (cold) to last (warm) */
  seconds: number[];
  packetsPerSec: number;
  segments: RunSegments[];
}

export const HEAD_PACKETS = 100_000;

export async function warmReplay(capture: string, policyFile: string, runs: number): Promise<WarmReplayResult> {
  const seconds: number[] = [];
  const segments: RunSegments[] = [];
  let packets = 0;
  for (let r = 0; r < runs; r++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aipref-bench-warm-'));
    try {
      const started = performance.now();
      let firstBatch = 0;
      let head: { at: number; packets: number } | undefined;
      const onProgress = (done: number) => {
        const at = performance.now();
        if (firstBatch === 0) firstBatch = at;
        if (head === undefined && done >= HEAD_PACKETS) head = { at, packets: done };
      };
      const policy = await loadPolicyFile(policyFile);
      const outputs = replayOutputs(dir, false);
      const result = await replayCapture({ capture, policy, workers: 0, windowSec: policy.windowSec ?? DEFAULT_WINDOW_SEC, explain: false, sink: outputs.sink, onProgress });
      await outputs.close();
      const ended = performance.now();
      seconds.push((ended - started) / 1000);
      packets = result.summary.packets;
      head ??= { at: ended, packets };
      segments.push({
        firstBatchSeconds: (firstBatch - started) / 1000,
        headSeconds: (head.at - started) / 1000,
        headPackets: head.packets,
        restPacketsPerSec: ended > head.at ? (packets - head.packets) / ((ended - head.at) / 1000) : 0,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { packets, seconds, packetsPerSec: packets / seconds[seconds.length - 1]!, segments };
}

/** Runs warmReplay in a fresh child process, so that nothing the bench ran before weighs on it. */
export async function warmReplayChild(capture: string, policyFile: string, runs: number): Promise<WarmReplayResult> {
  // with the V8 flags bin/aipref-enforcer.js sets for `replay`: the engine as the command runs it
  const args = [...BATCH_V8_FLAGS.split(' '), fileURLToPath(import.meta.url), capture, policyFile, String(runs)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as WarmReplayResult;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [capture, policyFile, runs] = process.argv.slice(2);
  if (!capture || !policyFile) {
    process.stderr.write('usage: node dist/bench/warm-replay.js <capture> <policy.json> [runs]\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(JSON.stringify(await warmReplay(capture, policyFile, Number(runs ?? 4))) + '\n');
  }
}
