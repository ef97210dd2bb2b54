/**
 * Checks of 1c8aec5 (notes let go at the shards' sweeps) that came out fine; each replayed with 0
 * and 2 workers and compared:
 *  - the sweeps' rate limit is mirrored: a sweep at t=250 that finds the pair 250 s idle, then
 *    signaling at t=305 and t=309.9 (under a minute since: no sweep in the cores) — the note stands
 *    at c1 as the shard's tag does (the shard's view, an unbound SR just before c1, agrees);
 *  - an open aggregation window keeps the shard's session past 300 s (sweepUnbound skips it) and
 *    the note with it (goneAfter = the window, 600 s): kept at a sweep at t=350, both let go at a
 *    sweep at t=650 after the window closed — the carry agrees with the shard's view each time;
 *  - small batches (1, 2, 3 records; a batch boundary between an event and a packet, the mirror
 *    catching up at each batch's end) give the lines of one whole batch, 0 and 2 workers, for a
 *    pair kept by its other stream through a sweep and a pair let go at it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { replayLines, Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, type Pkt, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn, THREE, writeCapture } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const call = (id: string, t: number, ip1: string, ip2: string) => setup(id, t, sdpAt(ip1, 8000, null), sdpAt(ip2, 9000, null));
const at = (d: string[], frame: number) => d.filter((x) => x.startsWith(`${frame} `));

async function replayWindow(name: string, pkts: Pkt[], windowSec: number) {
  const file = await ws.file(`${name}.pcap`);
  await writeCapture(file, pkts);
  const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy: THREE, workers, windowSec, explain: true })));
  expect(runs[1]!.decisions).toEqual(runs[0]!.decisions);
  expect(runs[1]!.exports).toEqual(runs[0]!.exports);
  return runs[0]!.decisions.map((l) => {
    const x = JSON.parse(l) as { frame: number; ssrc: number; decision: string; reason: string; apt: string[] };
    return `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} ${x.apt.join('+')}`;
  });
}

describe('1c8aec5: checked fine', () => {
  it('no second sweep within a minute: the note stands as the shard keeps the tag', async () => {
    const head = [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      ...call('c8', 250, '10.0.0.7', '10.0.0.8'), // 2-4: a sweep at 250.01, pair 250 s idle
      ...call('c9', 305, '10.0.0.5', '10.0.0.6'), // 5-7: 55 s since: no sweep
    ];
    const carried = await replay(ws, 'rate-carried', [...head, ...rawCall('c1', 309.9), rtcpPkt(310, A, 4001, B, 5001, [srIn(1111)])]); // 8-10, 11
    expect(at(carried.d, 11)).toEqual(['11 1111 drop export-none apt-none']);
    const view = await replay(ws, 'rate-view', [...head, rtcpPkt(309.8, A, 4001, B, 5001, [srIn(1111)])]); // 8
    expect(at(view.d, 8)).toEqual(['8 1111 drop export-none apt-none']);
  });

  it("an open window keeps the shard's session and the note; both go once it closed", async () => {
    const head = [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      rtcpPkt(1, B, 5001, A, 4001, [srIn(2222), sdesTag(2222, 'apt-agg')]), // 2: a 600 s window opens
      ...call('c8', 350, '10.0.0.7', '10.0.0.8'), // 3-5: a sweep; the window is open
    ];
    const kept = await replayWindow('win-kept', [...head, ...rawCall('c1', 400), rtcpPkt(401, A, 4001, B, 5001, [srIn(1111)])], 600); // 6-8, 9
    expect(at(kept, 9)).toEqual(['9 1111 drop export-none apt-none']);
    const keptView = await replayWindow('win-kept-view', [...head, rtcpPkt(399, A, 4001, B, 5001, [srIn(1111)])], 600); // 6
    expect(at(keptView, 6)).toEqual(['6 1111 drop export-none apt-none']);
    const later = [...head, ...call('c9', 650, '10.0.0.5', '10.0.0.6')]; // 6-8: the window closed: swept
    const gone = await replayWindow('win-gone', [...later, ...rawCall('c1', 700), rtcpPkt(701, A, 4001, B, 5001, [srIn(1111)])], 600); // 9-11, 12
    expect(at(gone, 12)).toEqual(['12 1111 export raw-allowed apt-raw']);
    const goneView = await replayWindow('win-gone-view', [...later, rtcpPkt(699, A, 4001, B, 5001, [srIn(1111)])], 600); // 9
    expect(at(goneView, 9)).toEqual(['9 1111 drop no-preference ']);
  });

  it('batch cuts do not move a sweep relative to the notes (1, 2, 3 records a batch)', async () => {
    const pkts = [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]),
      rtcpPkt(0.5, '10.0.0.3', 4001, '10.0.0.4', 5001, [srIn(3333), sdesTag(3333, 'apt-none')]),
      rtcpPkt(200, B, 5001, A, 4001, [srIn(2222)]),
      ...call('c9', 350, '10.0.0.7', '10.0.0.8'),
      ...rawCall('c1', 360),
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]),
      ...setup('c2', 362, sdpAt('10.0.0.3', 4000, null, ['a=aipref:session apt-raw']), sdpAt('10.0.0.4', 5000, null, ['a=aipref:session apt-raw'])),
      rtcpPkt(363, '10.0.0.3', 4001, '10.0.0.4', 5001, [srIn(3333)]),
    ];
    const file = await ws.file('batches.pcap');
    await writeCapture(file, pkts);
    const whole = await replayLines({ capture: file, policy: THREE, workers: 0, explain: true });
    const d = whole.decisions.map((l) => JSON.parse(l) as { frame: number; decision: string });
    // 1111 kept by 2222's SR (carried, dropped); 3333's pair idle 350 s at the sweep (exported)
    expect(d.filter((x) => x.frame === 10).map((x) => x.decision)).toEqual(['drop']);
    expect(d.filter((x) => x.frame === 14).map((x) => x.decision)).toEqual(['export']);
    for (const maxBatchRecords of [1, 2, 3]) {
      for (const workers of [0, 2]) {
        const cut = await replayLines({ capture: file, policy: THREE, workers, explain: true, maxBatchRecords });
        expect(cut.decisions, `batch ${maxBatchRecords}, ${workers} workers`).toEqual(whole.decisions);
        expect(cut.exports).toEqual(whole.exports);
        expect(cut.reports).toEqual(whole.reports);
      }
    }
  });
});
