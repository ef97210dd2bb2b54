/**
 * Input: B's SR(2222) on B:5001 → A:4001 stamped t=100 (frame 1: no signaling, unbound, read by
 *   the shard; the capture's records out of order by 100 s — two interfaces merged, a HEP agent's
 *   clock ahead); A's SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on A:4001 → B:5001 stamped
 *   t=0 (frame 2, noted); an unrelated call c9 set up at t=350 (frames 3–5: a sweep); a plain
 *   SR(1111) at t=355 (frame 6, unbound: the shard's view); call c1 (apt-raw, A:4000 / B:5000) at
 *   t=360 (frames 7–9); 1111's SR at t=361 (frame 10). THREE, 0 and 2 workers.
 * Was: the shard's session for the pair holds 2222 (lastSeen 100) and 1111 (lastSeen 0); at the
 *   sweep at t=350.01 2222 is 250 s idle, so the session and its tag stay — frame 6 is
 *   '6 1111 drop export-none apt-none'. The main thread starts the pair's `seen` at the note's own
 *   stamp (add(): `seen: view.ts`), frame 1 having been no note's (refresh() runs only while notes
 *   exist, on a pair that has them), judges the pair 350 s idle and drops the note at the same
 *   sweep: the shard held the tag, but c1 exports 1111's SR raw, '10 1111 export raw-allowed
 *   apt-raw' — apt-none telemetry exported. The same two records in stamp order: dropped.
 * Correct: README (Binding): notes go "once the pair's last packet a shard reads is 300 s old" —
 *   frame 1 (t=100) is such a packet; SPEC §2.4 (a tag binds its SSRC, never relaxes signaling):
 *   frame 10 is '10 1111 drop export-none apt-none'.
 * Fix: replay-engine.ts media() / unbound-tags.ts add(): a new pair's `seen` must include what the
 *   shard's session already holds — keep the latest own stamp of every unbound pair a core reads
 *   (recorded for every unbound packet read, not only while notes exist; a bounded map by pair, as
 *   the stream table bounds sessions) and start a note's `seen` from it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const otherCall = (t: number) => setup('c9', t, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null));

describe("a packet of the pair read before the note, stamped after it", () => {
  it('keeps the note as it keeps the shard\'s session', async () => {
    const o = await replay(ws, 'later-stamp-before-note', [
      rtcpPkt(100, B, 5001, A, 4001, [srIn(2222)]), // 1
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 2
      ...otherCall(350), // 3-5: the sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 6: the shard's view
      ...rawCall('c1', 360), // 7-9
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 10
    ]);
    // the shard still holds the tag after the sweep
    expect(o.d.filter((d) => d.startsWith('6 '))).toEqual(['6 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });
});
