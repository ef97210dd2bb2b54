import { describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import { createRecordBatch } from '../../native-free/record-batch.js';
import type { RecordBatch } from '../../native-free/types.js';
import { replayCapture } from '../../src/pipeline/replay-engine.js';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { PacketQueue } from '../../src/sources/packet-queue.js';

describe('a live source that falls silent', () => {
  it('the packet queue hands out an empty group after the idle tick, and none without one', async () => {
    const ticking = new PacketQueue(16, 16, 30);
    const it1 = ticking[Symbol.asyncIterator]();
    const started = Date.now();
    expect((await it1.next()).value).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    ticking.push({ ts: 1, src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: 'udp', payload: new Uint8Array(4) });
    expect((await it1.next()).value).toHaveLength(1);

    const silent = new PacketQueue(16, 16, 0);
    const it2 = silent[Symbol.asyncIterator]();
    const next = it2.next();
    const winner = await Promise.race([next.then(() => 'group'), new Promise((r) => setTimeout(() => r('nothing'), 80))]);
    expect(winner).toBe('nothing');
    silent.end();
    expect((await next).done).toBe(true);
  });

  it('an empty batch moves the engine clock: windows close on time without more packets', async () => {
    const policy = await loadPolicyFile('samples/policy.json');
    const batches: RecordBatch[] = [];
    // the first 300 records: the calls are still up (their BYEs come near frame 430), windows open
    for await (const b of readCaptureBatches('samples/call-small.pcap', { maxBatchRecords: 150 })) if (batches.length < 2) batches.push(b);
    const lastTs = batches.at(-1)!.ts[batches.at(-1)!.count - 1]!;
    let tickCall = -1;
    const calls: string[][] = [];
    async function* source(): AsyncGenerator<RecordBatch> {
      yield* batches;
      tickCall = batches.length; // the sink call made for the next batch is the tick's
      yield createRecordBatch(new Uint8Array(0), 0, 0);
    }
    await replayCapture({
      capture: 'live-test',
      source: source(),
      policy,
      workers: 0,
      windowSec: 10,
      explain: false,
      // the service's clock: 60 s on at the tick from when the records came (the capture's time
      // moves on from the records' own by that much: CaptureClock.tick)
      clock: () => (tickCall >= 0 ? 5_000_060 : 5_000_000),
      sink: { exports: (lines) => void calls.push(lines), reports() {}, decisions() {} },
    });
    const atTick = calls[tickCall]!.map((l) => JSON.parse(l) as { type: string; window: { end: number } });
    expect(atTick.length).toBeGreaterThan(0);
    expect(atTick.every((e) => e.type === 'aggregate' && e.window.end <= lastTs + 60)).toBe(true);
    // nothing was left for the end of the source: the tick closed every window
    expect(calls.slice(tickCall + 1).flat()).toEqual([]);
  });
});
