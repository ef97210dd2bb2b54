/**
 * A live feed silent for more than a quarter hour: its next record is held against the capture
 * clock as the idle ticks moved it on, not against the last records' time, so it is no outlier
 * (CaptureClock.through with the service's clock). It was (the review of the session's
 * changes suspected it): the record 20 min after the last one was taken for a single record far
 * off, the clock stayed, and the windows the silence had run past stayed open until a second
 * record confirmed the time — here, to the end of the feed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import type { RecordBatch } from '../../native-free/types.js';
import { replayCapture } from '../../src/pipeline/replay-engine.js';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { Workspace } from '../e2e/e2e-helpers.js';
import { writeFrames } from '../e2e/mirror-copies/build.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const T = 1767225600;
const sr = (ssrc: number) => encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 1, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 160, reports: [] } as never]);

describe('a live feed silent for 20 minutes', () => {
  it("its next record moves the clock: the window the silence ran past closes at that record's batch", async () => {
    const file = await writeFrames(ws, 'silence', [
      { ts: T, src: '10.0.0.1', dst: '10.0.0.2', sport: 4001, dport: 5001, payload: sr(0xa) },
      { ts: T + 1200, src: '10.0.0.3', dst: '10.0.0.4', sport: 4001, dport: 5001, payload: sr(0xb) },
    ]);
    const batches: RecordBatch[] = [];
    for await (const b of readCaptureBatches(file, { maxBatchRecords: 1 })) batches.push(b);
    expect(batches).toHaveLength(2);
    let wall = 5_000_000;
    let call = -1;
    const calls: string[][] = [];
    async function* source(): AsyncGenerator<RecordBatch> {
      yield batches[0]!;
      // the service's clock moves on with the capture's (the second record came 20 min later)
      wall += 1200;
      call = 1;
      yield batches[1]!;
    }
    const policy = parsePolicy(JSON.stringify({ apts: { d: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, default: 'd' }), 'p.json');
    await replayCapture({
      capture: 'live-test',
      source: source(),
      policy,
      workers: 0,
      windowSec: 10,
      explain: false,
      clock: () => wall,
      sink: { exports: (lines) => void calls.push(lines), reports() {}, decisions() {} },
    });
    const atSecond = calls[call]!.map((l) => JSON.parse(l) as { stream: { ssrc: number }; window: { start: number } });
    expect(atSecond.map((e) => [e.stream.ssrc, e.window.start])).toEqual([[0xa, T]]);
  });
});
