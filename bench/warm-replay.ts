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
import { openReplayOutputs } from '../src/cli/replay.js';
import { loadPolicyFile } from '../src/policy/policy-file.js';
import { replayCapture } from '../src/pipeline/replay-engine.js';

export interface WarmReplayResult {
  packets: number;
  /** every run's seconds, first (cold) to last (warm) */
  seconds: number[];
  packetsPerSec: number;
}

export async function warmReplay(capture: string, policyFile: string, runs: number): Promise<WarmReplayResult> {
  const seconds: number[] = [];
  let packets = 0;
  for (let r = 0; r < runs; r++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aipref-bench-warm-'));
    try {
      const started = performance.now();
      const policy = await loadPolicyFile(policyFile);
      const outputs = await openReplayOutputs(dir, false);
      const result = await replayCapture({ capture, policy, workers: 0, windowSec: policy.windowSec ?? DEFAULT_WINDOW_SEC, explain: false, sink: outputs.sink });
      await outputs.close();
      seconds.push((performance.now() - started) / 1000);
      packets = result.summary.packets;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { packets, seconds, packetsPerSec: packets / seconds[seconds.length - 1]! };
}

/** Runs warmReplay in a fresh child process, so that nothing the bench ran before weighs on it. */
export async function warmReplayChild(capture: string, policyFile: string, runs: number): Promise<WarmReplayResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), capture, policyFile, String(runs)], { maxBuffer: 1 << 20 });
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
