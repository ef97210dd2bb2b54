/**
 * Found by the fifth review of the SDES-tag carry (stop 40; a known limit for an hour), fixed since:
 * the main thread lets a note go where its shard lets the unbound session go — at the same
 * sweeps (MediaCore.sweepUnbound at signaling events, mirrored by UnboundTags.event with the same
 * stamps), once the pair's last packet a core reads is UNBOUND_IDLE_SEC (or a window's length)
 * old — not 300 s after the SSRC's own last packet.
 */
/**
 * Input: SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on A:4001 → B:5001 at t=0, no
 *   signaling (frame 1); 1111 quiet until t=400, then a plain SR(1111) on the same transport
 *   (frame 2); call c1 (a=aipref:session apt-raw, A:4000 / B:5000) at t=401 (frames 3–5); 1111's
 *   SR at t=402 (frame 6). No other SIP in the capture (a mirror that starts mid-call: a long
 *   stretch with no signaling, then a session refresh re-INVITE names the transport). THREE
 *   policy, 0 and 2 workers.
 * Was: the shard lets an idle unbound stream go only at a sweep, run at signaling events
 *   (MediaCore.event → sweepUnbound, not at the first event nor after a jump): none ran, so at
 *   frame 2 the stream and its tag are still there and the SR is dropped
 *   ('2 1111 drop export-none apt-none'). The main thread's refresh() at frame 2 lets the note go
 *   because it is 400 s old (the rule of round26-carry-review-2 stale-note-revived, right only
 *   when a sweep did run): nothing is carried, and 2 s later the same SR under c1 is exported
 *   raw: '6 1111 export raw-allowed apt-raw'. (The same with sweeps running — unrelated calls set up
 *   at t=100 and t=350 — when B's SRs (SSRC 2222, no report blocks) keep coming on the pair every
 *   5 s: a sweep drops a session only when all its streams are idle, so the shard keeps 1111's tag,
 *   drops its SR at t=400, and c1 exports it raw at t=402; checked by hand.)
 * Correct: README (Binding): carried "if the SSRC's unbound packets … were seen within the last
 *   300 s of capture time, as a shard keeps an idle unbound stream" — frame 2 is such a packet,
 *   1 s before c1, and the shard still honoured the tag there; SPEC §2.4 (tags never relax
 *   signaling): frame 6 is dropped (export-none, apt-none), nothing of c1 exported.
 * Fix: src/pipeline/unbound-tags.ts refresh()/take(): judge a note's age as the shard judges its
 *   stream — let it go only once a sweep would have dropped it (the main thread mirrors
 *   sweepUnbound's timing from the signaling events it sends: lastEventTs/lastUnboundSweep, and
 *   the pair's other streams keeping the session), not at a bare 300 s from its last packet.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a tagged unbound stream silent for 400 s with no signaling meanwhile (no sweep)', () => {
  it('keeps its tag after signaling, as the shard kept it before', async () => {
    const o = await replay(ws, 'unswept-stream', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1
      rtcpPkt(400, A, 4001, B, 5001, [srIn(1111)]), // frame 2
      ...rawCall('c1', 401), // frames 3-5
      rtcpPkt(402, A, 4001, B, 5001, [srIn(1111)]), // frame 6
    ]);
    // the shard still holds the tagged stream at frame 2
    expect(o.d.filter((d) => d.startsWith('2 '))).toEqual(['2 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('6 '))).toEqual(['6 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });
});
