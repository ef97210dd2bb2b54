/**
 * A known limit until stop 43 (it was a .limit.ts, the fail-safe way): a record stamped hours
 * ahead kept the note for hours where the stream's next packet took the shard's stamp back, and
 * the next call on the pair dropped what the shard would have exported. Mended by carrying the
 * tags the pair's shard holds (MediaCore.tagsHeld; asked across shards, replay-engine.ts
 * askPairShards) rather than the main thread's notes, which now say only whether to ask. (README,
 * Binding.)
 */
/**
 * Input: SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on A:4001 → B:5001 at t=0 (frame 1,
 *   unbound, noted); a plain SR(1111) on the same transport stamped t=10000 (frame 2: one record
 *   stamped hours ahead — a HEP agent's clock, a bad merge); SR(1111) again at t=5 (frame 3, the
 *   capture's own time); an unrelated call c9 set up at t=350 (frames 4–6: a sweep); a plain
 *   SR(1111) at t=355 (frame 7, unbound: the shard's view); call c1 (apt-raw, A:4000 / B:5000) at
 *   t=360 (frames 8–10); 1111's SR at t=361 (frame 11). THREE, 0 and 2 workers.
 * Was: the core stamps a stream with each packet's own time (StreamTable.stream: `lastSeen = ts`),
 *   so after frame 3 1111's lastSeen is 5 and the sweep at t=350.01 drops the session and its tag —
 *   frame 7 is a new source: '7 1111 drop no-preference'. The main thread keeps the pair's
 *   `seen` as the greatest stamp ever read (refresh()/add(): Math.max), 10000, and keeps the
 *   note until an event stamped ≥ 10300 (hours of capture): c1 gets the tag the shard let go,
 *   '11 1111 drop export-none apt-none' with a binding-conflict. Without frame 2: exported raw.
 * Correct: README (Binding): "Notes go where the shard lets the unbound session go … once the
 *   pair's last packet a shard reads is 300 s old" — judged as the shard judges it (the task's
 *   rule: exactly as long, or a little longer, not hours). Frame 11: '11 1111 export raw-allowed
 *   apt-raw'.
 * Fix: unbound-tags.ts: keep, per pair, each SSRC's last own stamp as the core's streams have it
 *   (assigned, not maxed: RTP's SSRC, each SSRC a read compound's items make a stream for) and judge
 *   the pair at a sweep by the greatest of those, as sweepUnbound does over session.streams.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const otherCall = (t: number) => setup('c9', t, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null));

describe('a record stamped hours ahead on a noted pair, then the capture\'s own time', () => {
  it('does not keep the note for hours after the shard let the session go', async () => {
    const o = await replay(ws, 'future-stamp-keeps-note', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      rtcpPkt(10000, A, 4001, B, 5001, [srIn(1111)]), // 2: stamped hours ahead
      rtcpPkt(5, A, 4001, B, 5001, [srIn(1111)]), // 3
      ...otherCall(350), // 4-6: the sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 7: the shard's view
      ...rawCall('c1', 360), // 8-10
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 11
    ]);
    expect(o.d.filter((d) => d.startsWith('7 '))).toEqual(['7 1111 drop no-preference ']);
    expect(o.d.filter((d) => d.startsWith('11 '))).toEqual(['11 1111 export raw-allowed apt-raw']);
    expect(o.reports.filter((r) => r.type === 'binding-conflict')).toEqual([]);
  });
});
