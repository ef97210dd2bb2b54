/**
 * Round 29 carry-asks review 4 (commit ef261f5: a cut unit's lines written with the rest of its
 * batch's, merged by (frame, key); each shard's counts from the batch's last unit; a stopped
 * batch's cut units written at the finish). Checks that came out fine:
 * 1. several asks in one batch, asks in consecutive records and batches, an ask in the last batch,
 *    windows closing around them: workers 0 vs 2/3, whole batches and batches of 1-4 records,
 *    maxInFlight 1 and 2 (the shards' task bound: a run exceeding it throws) — same lines,
 *    bindings, summary, and per batch size the same sink calls, onCounted and onProgress sequences;
 * 2. the live path (`source`, idle ticks, a policy reload with a new window before a batch whose
 *    first record asks, one unit in flight): the same sink calls and counts with 0, 2 and 3 workers;
 * 3. the CLI's files byte for byte with 0-4 workers (encoded runs merged across units);
 * 4. a read broken mid-file (CaptureError), a last record cut short, a read aborted after a batch
 *    that asked: the same lines, counts and partial result with 0, 2 and 3 workers.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../../native-free/capture.js';
import type { RecordBatch } from '../../../native-free/types.js';
import { replayCapture, type ReplayResult } from '../../../src/pipeline/replay-engine.js';
import { cli, policyOf, Workspace, writePolicy } from '../../e2e/e2e-helpers.js';
import { THREE, writeCapture } from '../../e2e/port-reuse-review/common.js';
import { manyAsks, observe, type Config, type Obs } from './stress-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

function same(base: Obs, r: Obs, sequences: boolean): void {
  expect(r.exports, r.label).toEqual(base.exports);
  expect(r.reports, r.label).toEqual(base.reports);
  expect(r.decisions, r.label).toEqual(base.decisions);
  expect(r.result.bindings, r.label).toEqual(base.result.bindings);
  expect(r.result.summary, r.label).toEqual(base.result.summary);
  expect(r.counted.at(-1), r.label).toEqual(base.counted.at(-1));
  if (sequences) {
    expect(r.calls, r.label).toEqual(base.calls);
    expect(r.counted, r.label).toEqual(base.counted);
    expect(r.progress, r.label).toEqual(base.progress);
  }
}

describe('asks merged into their batch', () => {
  it('many asks per batch and in consecutive batches: same output, sink calls, onCounted/onProgress sequences', async () => {
    for (const spacing of [[0, 0, 0, 0, 0, 0], [1, 0, 2, 0, 1, 3], [3, 3, 3, 0, 0, 1]]) {
      const file = await ws.file(`many-${spacing.join('')}.pcap`);
      await writeCapture(file, manyAsks(6, spacing).pkts);
      const base = await observe(file, { workers: 0 });
      expect(base.decisions.filter((d) => d.includes('apt-none')).length).toBeGreaterThan(5);
      expect(base.exports.some((l) => l.includes('"window"') || l.includes('aggregate'))).toBe(true);
      for (const m of [undefined, 1, 2, 3, 4]) {
        const b0 = await observe(file, { workers: 0, ...(m ? { maxBatchRecords: m } : {}) });
        same(base, b0, false);
        for (const c of [{ workers: 2 }, { workers: 3 }, { workers: 2, maxInFlight: 1 }, { workers: 3, maxInFlight: 2 }] as Config[]) {
          const r = await observe(file, { ...c, ...(m ? { maxBatchRecords: m } : {}) });
          expect(r.result.cuts, r.label).toBe(6);
          same(b0, r, true);
        }
      }
    }
  }, 600_000);

  it('the live path: idle ticks, a reload before a batch, one unit in flight', async () => {
    const OTHER = policyOf({ apts: { 'apt-raw': { type: 'user', export: 'aggregated-only', retention: '1h' }, 'apt-agg': { type: 'user', export: 'raw', retention: '1h' }, 'apt-none': { type: 'user', export: 'none', retention: '1h' } } });
    const file = await ws.file('src.pcap');
    await writeCapture(file, manyAsks(5, [0, 1, 0, 2, 0]).pkts);
    for (const m of [1, 2, 3, 5]) {
      const batches: RecordBatch[] = [];
      for await (const b of readCaptureBatches(file, { maxBatchRecords: m })) batches.push(b);
      for (const updateAt of [10, 20, 25, 30]) {
        const outs: string[][] = [];
        for (const c of [{ workers: 0 }, { workers: 2 }, { workers: 3 }, { workers: 2, maxInFlight: 1 }]) {
          const lines: string[] = [];
          let n = 0;
          let wall = 1767225600 + 30;
          const source = (async function* () {
            for (const b of batches) {
              yield b;
              if (n % 4 === 0) yield { ...b, count: 0, firstFrame: b.firstFrame + b.count };
            }
          })();
          const r = await replayCapture({
            capture: 'live', source, policy: THREE, workers: c.workers, windowSec: 10, explain: true, bindings: true,
            ...(c.maxInFlight ? { maxInFlight: c.maxInFlight } : {}),
            clock: () => (wall += 0.5),
            takePolicyUpdate: () => (++n === updateAt ? { policy: OTHER, windowSec: 4 } : null),
            onCounted: (t) => void lines.push(`C ${JSON.stringify(t)}`),
            sink: { exports: (l) => void lines.push('E', ...l), reports: (l) => void lines.push('R', ...l), decisions: (l) => void lines.push('D', ...l) },
          });
          lines.push(JSON.stringify(r.summary), JSON.stringify(r.bindings));
          outs.push(lines);
          if (c.workers > 0) expect(r.cuts).toBeGreaterThan(0);
        }
        for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
      }
    }
  }, 600_000);

  it('the CLI files, byte for byte, with 0-4 workers', async () => {
    const file = await ws.file('cli.pcap');
    await writeCapture(file, manyAsks(8, [0, 0, 1, 0, 3, 0, 0, 2]).pkts);
    const policy = await writePolicy(ws, 'p.json', { apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' }, 'apt-none': { type: 'user', export: 'none', retention: '1h' } } });
    const outs: Record<string, string>[] = [];
    for (const w of [0, 1, 2, 3, 4]) {
      const dir = await ws.file(`out-${w}`);
      const r = await cli('replay', file, '--policy', policy, '--out', dir, '--workers', String(w), '--window', '10s', '--explain', '--json', '--quiet');
      expect(r.code, r.stderr).toBe(0);
      const files: Record<string, string> = { summary: r.stdout };
      for (const f of (await readdir(dir)).sort()) files[f] = await readFile(path.join(dir, f), 'utf8');
      outs.push(files);
    }
    expect(outs[0]!['exports.ndjson']!.length).toBeGreaterThan(0);
    for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
  }, 300_000);
});

describe('reads that stop after asks', () => {
  async function go(file: string, workers: number, m: number | undefined, abortAfter?: number) {
    const lines: string[] = [];
    const ac = new AbortController();
    let partial: ReplayResult | undefined;
    let progress = 0;
    try {
      const r = await replayCapture({
        capture: file, policy: THREE, workers, windowSec: 10, explain: true, bindings: true,
        ...(m ? { maxBatchRecords: m } : {}),
        signal: ac.signal,
        onProgress: () => void (++progress === abortAfter && ac.abort()),
        onPartialResult: (p) => void (partial = p),
        onCounted: (t) => void lines.push(`C ${JSON.stringify(t)}`),
        sink: { exports: (l) => void lines.push('E', ...l), reports: (l) => void lines.push('R', ...l), decisions: (l) => void lines.push('D', ...l) },
      });
      lines.push(JSON.stringify(r.summary), JSON.stringify(r.bindings));
    } catch (e) {
      lines.push(`threw ${String(e)}`, JSON.stringify(partial?.summary), JSON.stringify(partial?.bindings));
    }
    return lines;
  }

  it('broken mid-file, cut short, aborted: the same with 0, 2 and 3 workers', async () => {
    const good = await ws.file('good.pcap');
    await writeCapture(good, manyAsks(4, [0, 1, 0, 2]).pkts);
    const bytes = await readFile(good);
    const broken = await ws.file('broken.pcap');
    const hdr = Buffer.alloc(16);
    hdr.writeUInt32LE(1767225700, 0);
    hdr.writeUInt32LE(0x7fffffff, 8);
    hdr.writeUInt32LE(0x7fffffff, 12);
    await writeFile(broken, Buffer.concat([bytes, hdr, Buffer.alloc(40)]));
    const cut = await ws.file('cut.pcap');
    await writeFile(cut, bytes.subarray(0, bytes.length - 20));
    for (const file of [broken, cut, good]) {
      for (const m of [undefined, 1, 2, 3]) {
        for (const abortAfter of file === good ? [5, 9, 12, 16] : [undefined]) {
          const base = await go(file, 0, m, abortAfter);
          if (file === broken) expect(base.some((l) => l.startsWith('threw'))).toBe(true);
          if (file === cut) expect(base.some((l) => l.includes('cut short') || l.includes('truncated'))).toBe(true);
          for (const w of [2, 3]) expect(await go(file, w, m, abortAfter), `${path.basename(file)} workers ${w} batches ${m} abort ${abortAfter}`).toEqual(base);
        }
      }
    }
  }, 300_000);
});
