/**
 * Fixed since: UnboundTags keeps, per noted pair, each touched stream's last packet's own stamp
 * (PairNotes.stamps), as the core's lastSeen, and judges the pair by the latest.
 * Review of d9bc394 (UnboundTags.refresh), round 27 (4): the danger direction — the main thread
 * lets a note go while the shard still holds the tagged stream. The fault is in refresh()'s stamp
 * (`Math.min(view.ts, clockHigh)`, from 022d7f0), which d9bc394 kept; it is not in touchesAStream.
 *
 * Input: A's SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on 10.0.0.1:4001 → 10.0.0.2:5001
 *   at t=0 (frame 1: no signaling, unbound, noted); A's SR(1111) on the same transport stamped
 *   t=10000 (frame 2: one record stamped hours ahead — a HEP agent's clock, a bad merge — and the
 *   last of 1111 before the sweep); an unrelated call c9 (10.0.0.7 ↔ 10.0.0.8) at t=350 (frames
 *   3–5: its 200 OK is a sweep); A's plain SR(1111) at t=355 (frame 6, unbound: the shard's own
 *   view of the tag); call c1 (apt-raw, A:4000 / B:5000) at t=360 (frames 7–9); 1111's SR in c1 at
 *   t=361 (frame 10). THREE, 0 and 2 workers.
 * Was: the core stamps 1111's stream with frame 2's own time (StreamTable.stream: lastSeen =
 *   10000), so the sweep at t=350.01 keeps the session and its tag — frame 6 is
 *   '6 1111 drop export-none apt-none'. The main thread's refresh() stamps the pair with
 *   min(10000, clockHigh) — the capture clock, not the record's stamp — judges it 350 s idle and
 *   drops the note at the same sweep: c1 gets no tag, '10 1111 export raw-allowed apt-raw' —
 *   telemetry of a stream whose sender said apt-none, exported raw, while its shard still held
 *   the tag. (The earlier fix, round26-carry-review-6/future-stamp-keeps-note-after-shard-let-go,
 *   assumed 1111 sends again before the sweep; here it does not.)
 * Correct: README (Binding): notes go "where the shard lets the unbound session go … once the
 *   pair's last packet a shard reads is 300 s old" — never before the shard (the fail-safe way
 *   only, README: the note may outlive the shard's session, not the reverse); SPEC §2.4 (a tag
 *   binds its SSRC; tags never relax signaling): frame 10 '10 1111 drop export-none apt-none'.
 * Fix: unbound-tags.ts refresh()/add(): keep, per pair, the stamp each SSRC's stream has in the
 *   core (assigned from the record's own time, as StreamTable.stream does, for the SSRCs the
 *   compound touches) and judge the pair at a sweep by the greatest of them; or have the core clamp
 *   lastSeen to the capture clock as the main thread does (both sides the same rule).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe("a pair's last unbound packet stamped hours ahead", () => {
  it('keeps the note as long as the shard keeps the tagged stream', async () => {
    const o = await replay(ws, 'future-stamped-last', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
      rtcpPkt(10000, A, 4001, B, 5001, [srIn(1111)]), // 2: stamped hours ahead
      ...setup('c9', 350, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 3-5: a sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 6: the shard's view
      ...rawCall('c1', 360), // 7-9
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 10
    ]);
    expect(o.d.filter((d) => d.startsWith('6 '))).toEqual(['6 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });
});
