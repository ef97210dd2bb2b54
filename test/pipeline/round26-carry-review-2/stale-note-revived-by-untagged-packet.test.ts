/**
 * Input: SR + SDES{PRIV aipref=apt-none} of SSRC 1111 on A:4001 → B:5001 at t=0, no signaling
 *   naming it (frame 1); an unrelated call c9 between 10.0.0.7 and 10.0.0.8 set up at t=350
 *   (frames 2-4: signaling events, at which the shards sweep idle unbound sessions); at t=400,
 *   1111 — silent for 400 s — sends a plain SR on the same transport (frame 5); then call c1
 *   (a=aipref:session apt-raw, A:4000 / B:5000) at t=401 (frames 6-8) and 1111's SR at t=402
 *   (frame 9). Replayed with 0 and 2 workers.
 * Was: at frame 5 the shard has let the idle stream go and 1111 is a new unbound source (an
 *   unbound-stream report for it there, '5 1111 drop no-preference': the tag is forgotten), but
 *   UnboundTags.refresh() sets the stale note's `seen` to 400 without checking its age, so the
 *   400-second-old tag comes back: '9 1111 drop export-none apt-none' with a binding-conflict.
 *   Without the untagged packet at frame 5 the same SR is exported raw (the 300 s bound,
 *   sdes-tag-before-signaling.test.ts 'is forgotten…'): an extra untagged packet makes the result
 *   stricter.
 * Correct: README (Binding): carried are the tags of "each SSRC whose unbound packets were seen
 *   within the last 300 s of capture time, as a shard keeps an idle unbound stream"; a stream idle
 *   past that is gone (sweepUnbound: "one that speaks again is a new source"), as add() itself
 *   treats a stale note ("the new one starts afresh"). The SR at frame 9 is exported raw under
 *   apt-raw, no binding-conflict.
 * Fix: src/pipeline/unbound-tags.ts refresh(): where clock - noted.seen > UNBOUND_IDLE_SEC, delete
 *   the note (decrement `noted`, drop the pair if it empties) instead of refreshing it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a note older than the idle bound, then an untagged unbound packet of its SSRC', () => {
  it('is not revived: the stream spoke again as a new source, without the tag', async () => {
    const o = await replay(ws, 'stale-revived', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1
      ...setup('c9', 350, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 8002, null)), // frames 2-4
      rtcpPkt(400, A, 4001, B, 5001, [srIn(1111)]), // frame 5
      ...rawCall('c1', 401), // frames 6-8
      rtcpPkt(402, A, 4001, B, 5001, [srIn(1111)]), // frame 9
    ]);
    // the shard let the tagged stream go: frame 5 is a new unbound source with no tag
    expect(o.d.filter((d) => d.startsWith('5 '))).toEqual(['5 1111 drop no-preference ']);
    expect(o.reports.filter((r) => r.type === 'unbound-stream').map((r) => r.frame)).toContain(5);
    expect(o.d.filter((d) => d.startsWith('9 '))).toEqual(['9 1111 export raw-allowed apt-raw']);
    expect(o.reports.filter((r) => r.type === 'binding-conflict')).toEqual([]);
  });
});
