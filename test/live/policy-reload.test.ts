/**
 * The SIGHUP hook below the CLI: the engine's takePolicyUpdate (asked before each batch of a
 * live source) hands a new policy file to SignalingFront.updatePolicy. Fed the batches of a
 * capture, a reload in the middle of running dialogs decides every item before it as the old
 * policy does and every item from its batch on as the new one does — and swapping back and
 * forth keeps what signaling delivered (inline a=aipref / AI-Pref parameters).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import type { RecordBatch } from '../../native-free/types.js';
import { generateCapture } from '../../samples/generator/generate-capture.js';
import { replayCapture } from '../../src/pipeline/replay-engine.js';
import { loadPolicyFile, parsePolicy, type PolicyFile } from '../../src/policy/policy-file.js';
import { REPO } from './live-helpers.js';

let dir: string;
let capture: string;
let full: PolicyFile;
let bare: PolicyFile;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-reload-'));
  capture = path.join(dir, 'capture.pcap');
  await generateCapture({ calls: 6, durationSec: 8, seed: 11, videoBytes: 200, packetRateScale: 0.2, startTime: Math.floor(Date.now() / 1000) }, capture);
  full = await loadPolicyFile(path.join(REPO, 'samples/policy.json'));
  const json = { dialogs: full.dialogs, window: '10s', apts: {} };
  bare = parsePolicy(JSON.stringify(json), 'bare.json');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Decision {
  frame: number;
  decision: string;
  reason: string;
  apt: string[];
  rule: string;
}

/** Decision lines of a run fed the capture's batches as a live source, with policy swaps before given batches. */
async function decisions(start: PolicyFile, swaps: Map<number, PolicyFile>): Promise<{ lines: Decision[]; firstFrames: number[] }> {
  const lines: Decision[] = [];
  const firstFrames: number[] = [];
  let index = -1;
  async function* source(): AsyncGenerator<RecordBatch> {
    for await (const batch of readCaptureBatches(capture, { maxBatchRecords: 150 })) {
      index++;
      firstFrames.push(batch.firstFrame);
      yield batch;
    }
  }
  await replayCapture({
    capture: 'live',
    source: source(),
    policy: start,
    workers: 0,
    windowSec: 10,
    explain: true,
    sink: { exports: () => {}, reports: () => {}, decisions: (l) => void lines.push(...l.map((t) => JSON.parse(t) as Decision)) },
    // asked once batch number `index` is read, before the feed takes it
    takePolicyUpdate: () => swaps.get(index) ?? null,
  });
  return { lines, firstFrames };
}

describe('policy reload between batches (SignalingFront.updatePolicy)', () => {
  it('items before the reload are decided by the old policy, items from its batch on by the new one', async () => {
    const onlyBare = await decisions(bare, new Map());
    const onlyFull = await decisions(full, new Map());
    expect(onlyBare.lines.length).toBe(onlyFull.lines.length);
    // the two policies must disagree somewhere, or the test shows nothing
    expect(onlyBare.lines.map((d) => d.decision)).not.toEqual(onlyFull.lines.map((d) => d.decision));
    const at = Math.floor(onlyBare.firstFrames.length / 2);
    const swapped = await decisions(bare, new Map([[at, full]]));
    const cut = swapped.firstFrames[at]!;
    const before = (ls: Decision[]) => ls.filter((d) => d.frame < cut);
    const after = (ls: Decision[]) => ls.filter((d) => d.frame >= cut);
    expect(before(swapped.lines)).toEqual(before(onlyBare.lines));
    expect(after(swapped.lines)).toEqual(after(onlyFull.lines));
    expect(after(swapped.lines).length).toBeGreaterThan(0);
  });

  it('reloading back to the first policy restores its decisions: nothing signaling delivered is lost', async () => {
    const onlyFull = await decisions(full, new Map());
    const at = 2;
    const back = await decisions(full, new Map([[at, bare], [at + 1, full]]));
    const cut = back.firstFrames[at + 1]!;
    expect(back.lines.filter((d) => d.frame >= cut)).toEqual(onlyFull.lines.filter((d) => d.frame >= cut));
  });
});
