/**
 * Input: 2 workers. An SDES PRIV tag (1111, apt-none) on A:4001<->B:5001 before signaling (frame 1);
 * call D1 (apt-agg, A:4000/B:5000; Call-ID chosen so its shard is NOT the pair's) retires it;
 * B's SR 2222 opens D1's window (t=2, ends t=12); call D0 (apt-agg, C:6000/D:7000; Call-ID on the
 * pair's shard) gets an SR 3333 that opens its window (t=3, ends t=13); at t=20 A sends SR 1111
 * in D1: the first routed packet naming the noted SSRC, so the engine cuts the batch and asks
 * the pair's shard. Both windows are due at that packet's clock.
 * Was: with workers 0 the two aggregate lines come out D1 (end 12) then D0 (end 13), as one unit
 * sorts them by end; with workers 2 D0's comes first. MediaCore.event runs passTo(ev.frame) for an
 * `ask` too, so the pair's shard closes the windows due at the ASKING packet's own clock inside the
 * cut unit (frames < the packet), while every other shard closes its windows due then in the next
 * unit: lines of one place end up in two units and are written out of key order.
 * Correct: README (Binding): the ask is "one more batch boundary: the lines are the same with any
 * number of workers"; property of replay outputs being byte-identical for --workers 0/1/2/3.
 * Fix: in MediaCore.event, answer an `ask` without passTo(ev.frame) (the cut unit ends at frame-1;
 * endBatch(frame-1) already closes what is due through there), e.g. handle 'ask' before passTo.
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rtcpPkt, sdesTag, setup, sdpAt, srIn } from '../../e2e/port-reuse-review/common.js';
import { callOn, expectSame, pairShard, runs } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const C = '10.0.0.3';
const D = '10.0.0.4';
const agg = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-agg']);

it('windows due at the asking packet close in the same order as with no workers', async () => {
  const ps = pairShard(A, 4001, B, 5001, 2);
  const d1 = callOn('w-d1', 2, ps, true); // another shard than the pair's: the packet asks
  const d0 = callOn('w-d0', 2, ps); // the pair's shard
  const pkts = [
    rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
    ...setup(d1, 1, agg(A, 4000), agg(B, 5000)), // 2-4
    rtcpPkt(2, B, 5001, A, 4001, [srIn(2222, 7777)]), // 5: D1's window, ends t=12
    ...setup(d0, 2.5, agg(C, 6000), agg(D, 7000)), // 6-8
    rtcpPkt(3, C, 6001, D, 7001, [srIn(3333, 8888)]), // 9: D0's window, ends t=13
    rtcpPkt(20, A, 4001, B, 5001, [srIn(1111)]), // 10: asks; both windows due here
  ];
  const all = await runs(ws, 'ask-windows', pkts, [{ workers: 0 }, { workers: 2 }, { workers: 3 }, { workers: 2, maxBatchRecords: 3 }]);
  // the capture is one batch: with 2 workers its work was cut once, for the ask
  expect(all[1]!.result.cuts).toBe(1);
  expectSame(all);
});
