/**
 * Shared by the round-25 final idle review tests: the replay engine in-process, fed as `live`
 * feeds it (one record per batch, ReplayOptions.clock the service's time), with a fake service
 * clock set per record; and the offline replay of the same records (no clock).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { readCaptureBatches } from '../../../native-free/capture.js';
import type { RecordBatch } from '../../../native-free/types.js';
import { replayCapture } from '../../../src/pipeline/replay-engine.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { writePkts, type TimedPkt } from '../clock-sources-review/cs-helpers.js';

export const H = 3600;
export type Line = Record<string, unknown>;

export const POLICY = { apts: { u: { type: 'user', export: 'raw', retention: '24h' } }, default: null };

export interface Run {
  reports: Line[];
  decisions: Line[];
  exports: Line[];
}

/**
 * `pkts` through the engine. `service`: the service's time as each record comes (live: one
 * record per batch, `clock` returning it); null: offline (no clock, as `replay`).
 */
export async function runEngine(pkts: TimedPkt[], service: ((i: number) => number) | null, o: { workers?: number; policy?: object } = {}): Promise<Run> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'r25-ifr-'));
  try {
    const file = await writePkts(path.join(dir, 'c.pcap'), pkts);
    const policy = parsePolicy(JSON.stringify(o.policy ?? POLICY), 'p.json');
    const reports: Line[] = [];
    const decisions: Line[] = [];
    const exports: Line[] = [];
    const sink = {
      exports: (l: readonly string[]) => void exports.push(...l.map((x) => JSON.parse(x))),
      reports: (l: readonly string[]) => void reports.push(...l.map((x) => JSON.parse(x))),
      decisions: (l: readonly string[]) => void decisions.push(...l.map((x) => JSON.parse(x))),
    };
    if (service === null) {
      await replayCapture({ capture: file, policy, workers: o.workers ?? 0, windowSec: 10, explain: true, sink: sink as never });
    } else {
      const batches: RecordBatch[] = [];
      for await (const b of readCaptureBatches(file, { maxBatchRecords: 1 })) batches.push(b);
      const at = service;
      let wall = at(0);
      async function* source(): AsyncGenerator<RecordBatch> {
        for (let i = 0; i < batches.length; i++) {
          wall = at(i);
          yield batches[i]!;
        }
      }
      await replayCapture({ capture: 'live-test', source: source(), policy, workers: o.workers ?? 0, windowSec: 10, explain: true, clock: () => wall, sink: sink as never });
    }
    return { reports, decisions, exports };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const idleEnds = (r: Run): Line[] => r.reports.filter((x) => x.type === 'state-limit');
