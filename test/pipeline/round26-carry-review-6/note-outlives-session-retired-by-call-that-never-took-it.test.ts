/**
 * A known limit until stop 43 (it was a .limit.ts, the fail-safe way): a note outlived the session
 * a call's scope retired, and a later call on the addresses took it, and the next call on the pair
 * dropped what the shard would have exported. Mended by carrying the tags the pair's shard holds
 * (MediaCore.tagsHeld; asked across shards, replay-engine.ts askPairShards) rather than the main
 * thread's notes, which now say only whether to ask. (README, Binding.)
 */
/**
 * Input: SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on A:4001 → B:5001 at t=0 (frame 1,
 *   unbound, noted); call c1 (apt-raw, A:4000 / B:5000) set up at t=10 (frames 2–4: its scope
 *   routes the pair, and the shard retires the unbound session holding the tag,
 *   MediaCore.retireUnboundOf); in c1 only B's SR(2222) at t=11 (frame 5; 1111 sends nothing c1
 *   routes, so nothing takes the note); BYE/200 at t=20 (frames 6–7); 1111's plain SR at t=30 on
 *   the same transport (frame 8: unbound again — the shard's view); a transfer, call c2 on the same
 *   addresses (apt-raw) at t=40 (frames 9–11); 1111's SR at t=41 (frame 12). THREE, 0 and 2 workers.
 * Was: the shard let the tagged session go at c1's scope; frame 8 starts a new unbound session
 *   without the tag ('8 1111 drop no-preference', an unbound-stream report). The main thread's note
 *   was never taken nor let go: frame 8 refreshes it (same pair), and c2 takes it at frame 12 —
 *   '12 1111 drop export-none apt-none' and a binding-conflict, a tag the shard had not held since
 *   t=10. Without frame 1's tag, frame 12 is exported raw.
 * Correct: README (Binding): "Notes go where the shard lets the unbound session go"; the session
 *   that held the tag went at c1's scope (README: it "retires the unbound session (an ended row in
 *   bindings …)"; "after a call named its addresses, media with no dialog there again is a new
 *   unbound stream"). The note stands for c1 (the dialog that retired it) only; a packet of the new
 *   unbound session (frame 8) does not revive it. Frame 12: '12 1111 export raw-allowed apt-raw'.
 * Fix: unbound-tags.ts: mark a pair's notes retired when the mirrored scope event routes the pair
 *   (or at the first packet a dialog routes on it, in carryTags) — refresh() no longer extends a
 *   retired pair, and it goes at the retiring dialog's dialog-ended event (or is replaced by a new
 *   pair's notes at the next unbound note).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, bye, rawCall, replay, rtcpPkt, sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a note whose unbound session a call retired, the call ending without taking it', () => {
  it('is not carried into a later call on the pair by way of a new unbound session', async () => {
    const o = await replay(ws, 'retired-note-outlives', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      ...rawCall('c1', 10), // 2-4: retires the unbound session
      rtcpPkt(11, B, 5001, A, 4001, [srIn(2222)]), // 5
      ...bye('c1', 20, 2), // 6-7
      rtcpPkt(30, A, 4001, B, 5001, [srIn(1111)]), // 8: the shard's view
      ...rawCall('c2', 40), // 9-11
      rtcpPkt(41, A, 4001, B, 5001, [srIn(1111)]), // 12
    ]);
    expect(o.d.filter((d) => d.startsWith('8 '))).toEqual(['8 1111 drop no-preference ']);
    expect(o.d.filter((d) => d.startsWith('12 '))).toEqual(['12 1111 export raw-allowed apt-raw']);
  });
});
