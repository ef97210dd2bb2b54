/**
 * Found by a review of the session's changes, fixed since: an answerer's line counts as an echo
 * only of what the offerer named in the same m-section (buildNegotiatedScope).
 *
 * Input: a call A→B with two m-sections, audio (mid a) and video (mid v). A's SDP (10.0.0.1,
 * audio 4000, video 4002) puts its audio under `a=aipref:mid apt-agg`; B's SDP (10.0.0.2, audio
 * 5000, video 5002) puts its video under `a=aipref:mid apt-agg` — the same identifier (one
 * organisation's APT, stated by each side for its own m-section), not an echo of A's: A never
 * stated it for video. SR of A's video stream (SSRC 112, 10.0.0.1:4003 → 10.0.0.2:5003) at
 * frame 4. Then A refreshes the session: UPDATE (frame 5) repeating A's SDP byte for byte; SR (6);
 * B's 200 (7) repeating B's SDP byte for byte; SR (8).
 * Was (workers 0 and 2 alike): "4 aggregate aggregated-only [apt-agg]",
 * "6 drop no-preference []", "8 aggregate aggregated-only [apt-agg]": while A's offer awaits
 * its answer, buildNegotiatedScope leaves out every answerer line whose identifier the
 * offerer's previous SDP stated *anywhere* (`echoed` is one set over all m-sections), so B's
 * own video line goes, and the video stream is taken to have no preference; its window is cut.
 * Correct: "6 aggregate aggregated-only [apt-agg]" — nothing changed (SPEC §5: a repeated
 * identical description changes nothing; RFC 3264 §8: an offer speaks for its offerer only, B's
 * video statement stands until B's answer). An answerer's line echoes the offerer only where
 * the offerer stated that identifier for the same m-section (the case commit 0b82793 meant).
 * Fix: src/signaling/negotiated-scope.ts buildNegotiatedScope: build `echoed` per m-section
 * index (offererBefore's sections[index]) and skip an answerer line only when the offerer's
 * previous SDP stated its identifier in that same m-section (session-level lines count for all).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, decided, type Leg, req, res, run, srPkt } from '../dialog-lifecycle/lifecycle-helpers.js';
import { POL } from '../renegotiation-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const leg: Leg = { callId: 'echo-other-section@x', caller: A, callee: B, fromTag: 'f1' };
const sdp = (ip: string, audio: number, video: number, audioLines: string[], videoLines: string[], ssrcA: number, ssrcV: number) =>
  ['v=0', `o=x 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', 'a=group:BUNDLE a v',
    `m=audio ${audio} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=mid:a', `a=ssrc:${ssrcA} cname:x`, ...audioLines,
    `m=video ${video} RTP/AVP 96`, 'a=rtpmap:96 VP8/90000', 'a=mid:v', `a=ssrc:${ssrcV} cname:x`, ...videoLines, ''].join('\r\n');
const sdpA = () => sdp(A.ip, 4000, 4002, ['a=aipref:mid apt-agg'], [], 111, 112);
const sdpB = () => sdp(B.ip, 5000, 5002, [], ['a=aipref:mid apt-agg'], 221, 222);
const srVideoA = () => srPkt(A.ip, 4003, B.ip, 5003, 112);

describe('the echo rule of a pending offer looks at the same m-section only', () => {
  it("A's refresh repeating its SDP leaves B's own video apt-agg in force", async () => {
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, sdpA()), // 1
      res(leg, '200 OK', 1, 'INVITE', 't1', sdpB()), // 2
      req(leg, 'ACK', 1, 't1'), // 3
      srVideoA(), // 4
      req(leg, 'UPDATE', 2, 't1', sdpA()), // 5
      srVideoA(), // 6
      res(leg, '200 OK', 2, 'UPDATE', 't1', sdpB()), // 7
      srVideoA(), // 8
    ], POL);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['4 aggregate aggregated-only [apt-agg]', '6 aggregate aggregated-only [apt-agg]', '8 aggregate aggregated-only [apt-agg]']);
  });
});
