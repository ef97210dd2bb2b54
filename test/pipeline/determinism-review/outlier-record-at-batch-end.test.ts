/**
 * Found by a review of determinism across batch cuts, fixed since: the batch's end closes windows
 * by a capture clock a single record far off (more than 15 min) does not move (CaptureClock).
 *
 * Input: hand-built call (test/e2e/hand-built-calls.ts) A → B, `a=aipref:session apt-agg`
 * (aggregated-only, retention 1h), window 10 s; A sends one RTCP SR a second (SSRC 1111, T+1 …
 * T+30). After the SR of T+5 one unrelated UDP datagram (10.0.0.1:53000 → 10.0.0.2:53, 8 bytes of
 * junk, frame 9) is stamped 5 h ahead (T+18005.5: a merged capture, a HEP agent's wrong clock —
 * the case README "Capture time that jumps" speaks of). Replayed with workers 0 as one batch, and
 * with maxBatchRecords 9 (a batch ends right after the outlier; workers 0 and 2).
 *
 * Was (aggregate windows minus T, items):
 *   one batch:          ["1..11 items 10", "11..21 items 10", "21..30 items 10"]
 *   maxBatchRecords 9:  ["1..11 items 5", "6..16 items 10", "16..26 items 10", "26..30 items 5"]
 * The batch's end is where windows close on time (MediaCore.endBatch → WindowStore.closeDue(lastTs)),
 * and lastTs is the batch's last record's time: when that record is the outlier, every open window
 * of every shard closes 5 h "late" — i.e. at once — and the stream's next items start new windows;
 * when the outlier falls inside a batch, nothing happens. The aggregates' contents (items, window
 * bounds, request ids) depend on where the reader cut the capture (chunk size, record count) or a
 * live source's arrival pattern.
 * Correct: SPEC §8 (results identical — the batch cut is no more an input than --workers is) and
 *   SPEC §4 (windows of the operator's length, default 10 s): the one-batch aggregates, 10 items
 *   each, whatever the cut. README already says a record far from the one before idles no dialog
 *   out and does not stretch a window; it must not close every window either.
 * Fix: src/pipeline/replay-engine.ts endBatch (lastTs) / src/pipeline/media-core.ts endBatch: the
 *   time windows close by at a batch end must not depend on the cut — e.g. a capture clock kept on
 *   the main thread per record in capture order that ignores a record jumping more than a bound
 *   ahead of the one before (as the dialog tracker's idle rule does) until later records confirm
 *   it, and handed to the shards as the batch's `lastTs`.
 */
import { afterAll, expect, it } from 'vitest';
import { request, response, sdpOf, THREE, writeCall } from '../../e2e/hand-built-calls.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { replayLines, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const T0 = 1767225600;

it('a record stamped 5 h ahead at a batch end closes no window early', async () => {
  const file = await ws.file('outlier.pcap');
  await writeCall(file, (at) => {
    at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:session apt-agg'])), true);
    at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
    at(0.2, request('ACK', 1, null), true);
    for (let k = 1; k <= 30; k++) {
      at(k, encodeRtcpCompound([{ pt: 200, ssrc: 1111, ntpSec: 3976214400 + k, ntpFrac: 0, rtpTs: k * 8000, packetCount: k, octetCount: 100 * k, reports: [] }]), true, 4001, 5001);
      if (k === 5) at(5.5 + 18000, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), true, 53000, 53); // frame 9
    }
  });
  const windows = (lines: string[]) =>
    lines.map((l) => JSON.parse(l) as { type: string; window?: { start: number; end: number }; stats?: { items: number } }).filter((x) => x.type === 'aggregate').map((x) => `${x.window!.start - T0}..${x.window!.end - T0} items ${x.stats!.items}`);
  const whole = await replayLines({ capture: file, policy: THREE, workers: 0, maxBatchRecords: 1_000_000 });
  expect(windows(whole.exports)).toEqual(['1..11 items 10', '11..21 items 10', '21..30 items 10']);
  for (const workers of [0, 2]) {
    const cut = await replayLines({ capture: file, policy: THREE, workers, maxBatchRecords: 9 });
    expect(windows(cut.exports), `workers ${workers}, a batch ending at the outlier`).toEqual(windows(whole.exports));
    expect([...cut.exports].sort()).toEqual([...whole.exports].sort());
  }
});
