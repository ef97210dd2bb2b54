/**
 * Input: call c1 (INVITE/200/ACK, a=aipref:session apt-raw, A 10.0.0.1:4000 / B 10.0.0.2:5000)
 *   running, its RTP 1111 on A:4000 → B:5000 (frame 4); then, before call c2 is signaled, an RTCP
 *   compound SR + SDES{PRIV aipref=apt-none} of SSRC 3333 on A:6001 → B:7001 (frame 5); c1's next
 *   RTP packet (frame 6); then c2's INVITE/200/ACK (apt-raw, A:6000 / B:7000, frames 7-9); then
 *   3333's plain SR on A:6001 → B:7001 (frame 10). Replayed with 0 and 2 workers (same lines).
 * Was: '10 3333 export raw-allowed apt-raw' — the SR is exported raw. c1's RTP at frame 6 is the
 *   first packet a dialog routes between 10.0.0.1 and 10.0.0.2, so UnboundTags.take() hands every
 *   SSRC noted on that address pair (ports aside) to c1 and deletes the notes: c1 gains a stream
 *   3333 tagged apt-none that it never carries (a binding row under c1), and c2, whose stream it
 *   is, starts without the tag. Two hosts that carry several calls (a trunk between two SBCs or
 *   PBXs: every call between the same two media addresses) lose every pre-signaling tag this way
 *   — the running call routes a packet between them within milliseconds. (a0f35dd, which took the
 *   note only at that SSRC's own routed packet, carried it into c2.)
 * Correct: SPEC §2.4 / README (Binding: "An SDES PRIV tag it sent before that is carried over"):
 *   a PRIV aipref item binds its SSRC and tags never relax signaling; 3333 is c2's stream, so its
 *   SR is dropped (export-none, apt-none) with the binding-conflict a repeated tag gets, and
 *   c2's binding row for 3333 names apt-raw and apt-none.
 * Fix: src/pipeline/unbound-tags.ts (with replay-engine.ts carryTags): remember each note's
 *   transport ports (RTP/RTCP pair: port & ~1 on each end) and let take() hand over, and delete,
 *   only the notes whose ports match the routed packet's (or the route's m-section ports), leaving
 *   the pair's other notes for the dialog that routes them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a second call between the same two hosts as a running call', () => {
  it('keeps the apt-none its SSRC sent before signaling: the running call does not take it', async () => {
    const o = await replay(ws, 'trunk-steal', [
      ...rawCall('c1', 0), // frames 1-3
      rtp(0.5, A, 4000, B, 5000, 1111, 1), // frame 4: c1 running
      rtcpPkt(1, A, 6001, B, 7001, [srIn(3333), sdesTag(3333, 'apt-none')]), // frame 5: c2's stream, before c2's INVITE
      rtp(1.02, A, 4000, B, 5000, 1111, 2), // frame 6: c1's next packet
      ...setup('c2', 1.5, sdpAt(A, 6000, null, ['a=aipref:session apt-raw']), sdpAt(B, 7000, null, ['a=aipref:session apt-raw'])), // frames 7-9
      rtcpPkt(3, A, 6001, B, 7001, [srIn(3333)]), // frame 10
    ]);
    // before c2's signaling the unbound session honours the tag
    expect(o.d.filter((d) => d.startsWith('5 '))).toEqual(['5 3333 drop export-none apt-none', '5 3333 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 3333 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
    const c2 = o.bindings.find((b) => b.ssrc === 3333 && b.dialog?.callId === 'c2');
    expect(c2?.apt).toEqual(['apt-raw', 'apt-none']);
  });
});
