/**
 * Input: a trunk between two hosts: call c1 (A 10.0.0.1:4000 / B 10.0.0.2:5000, a=aipref:session
 *   apt-raw) running, its RTP 1111 (frame 4); before call c2 is signaled, SR(3333) + SDES{PRIV
 *   aipref=apt-none} on A:6001 → B:7001 (frame 5, unbound: noted); then c1's own SR(1111) on
 *   A:4001 → B:5001 whose sender's packet count is 3333 (frame 6 — any 32-bit word: NTP time,
 *   RTP timestamp, octet count, a report block's jitter/LSR/DLSR, SDES text, or any word of an
 *   SRTCP compound's encrypted part); then c2's INVITE/200/ACK (A:6000 / B:7000, apt-raw, frames
 *   7–9) and 3333's plain SR on A:6001 → B:7001 (frame 10). THREE policy, 0 and 2 workers.
 * Was: UnboundTags.names() takes any 32-bit word after the first header as naming an SSRC, so
 *   c1's SR at frame 6 takes 3333's note into c1 (a phantom row '3333 c1 sdes-priv
 *   [apt-raw,apt-none]') and c2 starts without the tag: '10 3333 export raw-allowed apt-raw' — the
 *   apt-none stream's SR exported raw. Not "a tag carried into the right dialog slightly early":
 *   the tag moves into the wrong dialog and is lost for its own (rare by chance — one word in
 *   2^32 — but a call's endpoint can put any value in its counters on purpose).
 * Correct: SPEC §2.4 / README Binding (the packet must name the SSRC as "sender, report subject,
 *   SDES chunk, BYE or feedback target"; "another call between the same two hosts takes none"):
 *   frame 10 is '10 3333 drop export-none apt-none' and c2's row names apt-raw and apt-none; c1
 *   has no row for 3333.
 * Fix: src/pipeline/unbound-tags.ts names(): walk the compound's packets by their headers and
 *   compare only the SSRC fields (SR/RR sender and report blocks' SSRC, SDES chunk SSRCs, BYE
 *   list, RTPFB/PSFB sender and media source, XR's sender and block SSRCs, APP's SSRC), and of
 *   an SRTCP compound only its clear first packet's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe("a word of another call's RTCP equal to a noted SSRC", () => {
  it('does not take that SSRC\'s tag into the other call', async () => {
    const o = await replay(ws, 'word-scan', [
      ...rawCall('c1', 0), // frames 1-3
      rtp(0.5, A, 4000, B, 5000, 1111, 1), // 4
      rtcpPkt(1, A, 6001, B, 7001, [srIn(3333), sdesTag(3333, 'apt-none')]), // 5: c2's stream, before c2's INVITE
      rtcpPkt(1.02, A, 4001, B, 5001, [{ ...srIn(1111), packetCount: 3333 } as ReturnType<typeof srIn>]), // 6: c1's SR, a count equal to 3333
      ...setup('c2', 1.5, sdpAt(A, 6000, null, ['a=aipref:session apt-raw']), sdpAt(B, 7000, null, ['a=aipref:session apt-raw'])), // 7-9
      rtcpPkt(3, A, 6001, B, 7001, [srIn(3333)]), // 10
    ]);
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 3333 drop export-none apt-none']);
    expect(o.exports.length).toBe(1); // c1's SR at frame 6 only
    expect(o.bindings.find((b) => b.ssrc === 3333 && b.dialog?.callId === 'c2')?.apt).toEqual(['apt-raw', 'apt-none']);
    expect(o.bindings.filter((b) => b.ssrc === 3333 && b.dialog?.callId === 'c1')).toEqual([]);
  });
});
