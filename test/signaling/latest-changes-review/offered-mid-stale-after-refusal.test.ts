/**
 * Found by a review of the latest changes (WebSocket, offeredMid, counters), fixed since: an offeredMid is held for the offer it was read under only (offeredMidIn), forgotten when that offer is refused or replaced, and outranked by a mid the ids in force read (stream-table.ts bindStream, media-core.ts rtpStream).
 */
/**
 * Input: a BUNDLE call (mids a and v on one address; `a=aipref:mid apt-a` aggregated-only on the
 *   m-section listed first, `apt-v` raw on the second) declaring no mid header extension. A's RTP
 *   stream 77 (no a=ssrc). (1) re-INVITE CSeq 2 adds `a=extmap:5 …sdes:mid`; A's RTP carries
 *   element 5 = "a"; B refuses it (488, Warning 399 aipref). (2) re-INVITE CSeq 3 adds the same
 *   a=extmap and is answered 200: A's RTP now carries "v" through the committed id 5; SR raw
 *   (apt-v). (3) re-INVITE CSeq 4 swaps the mids (m-section v now carries apt-a, a restriction
 *   for v): while it is pending A's RTP carries "v" and A sends an SR (frame 14); the 200 follows.
 *   (Control, in PASSING.test.ts: the same call without step (1).)
 * Was: step (1) leaves StreamState.offeredMid = "a" for good: the 488 does not clear it, the
 *   commit of step (2) does not either, and since the committed scope reads the mid from then on
 *   (media-core.ts rtpStream only sets offeredMid when the committed ids read nothing) it is never
 *   refreshed. bindStream binds against every later pending offer with `offeredMid ?? learnedMid`,
 *   so in step (3) the stream is put in the offer's m-section a (apt-v, raw) instead of v (apt-a):
 *   the SR at frame 14 is EXPORTED RAW. In the control, the same SR is aggregated.
 * Correct: SPEC §5 — a 488 with Warning 399 aipref discards the offer's changes (nothing learned
 *   through its a=extmap remains), and restrictions take effect from the offer: during (3) the
 *   stream, whose packets say "v", is governed by the offered v (apt-a): frame 14 aggregated, as
 *   in the control. SPEC §2 binds by "the mid from SDES MID or the RTP mid extension" — the one
 *   the packets carry now, not one read under a refused mapping.
 * Fix: src/pipeline/media-core.ts rtpStream / src/binding: clear offeredMid when the pending offer
 *   it was read for ends (refused, answered — promoted then, see offered-mid-dropped-at-answer) or
 *   is replaced, and whenever the committed ids read a mid (a fresh learnedMid outranks it); in
 *   bindStream prefer offeredMid only when it was read under the same pending scope.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { bundleCall, bundleSdp, decisions, fromA, M, reInvite, run, srFromA, V } from '../../media/rtp-extensions-review/harness.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());
const MID_A = 0x61; // 'a'
const ext = [`a=extmap:5 ${M}`];

it('a mid read under a refused offer does not bind the stream in a later offer', async () => {
  const [o1, refuse] = reInvite(bundleSdp('a', ext), 'refuse', 2);
  const [o2, ok2] = reInvite(bundleSdp('a', ext), bundleSdp('b', ext), 3);
  const [o3, ok3] = reInvite(bundleSdp('a', ext, { mids: ['v', 'a'] }), bundleSdp('b', ext, { mids: ['v', 'a'] }), 4);
  // `run` checks lines and binding tables with --workers 0 and 2
  const r = await run(ws, [
    ...bundleCall([]), // 1-3
    o1, // 4
    fromA(77, 0xbede, [0x50, MID_A]), // 5: "a" by the offer's id only
    srFromA(77), // 6
    refuse, // 7
    o2, // 8
    ok2, // 9
    fromA(77, 0xbede, [0x50, V]), // 10: "v" by the committed id
    srFromA(77), // 11: v, raw
    o3, // 12: v gets apt-a
    fromA(77, 0xbede, [0x50, V]), // 13
    srFromA(77), // 14: pending: v's offered apt-a applies
    ok3, // 15
    fromA(77, 0xbede, [0x50, V]), // 16
    srFromA(77), // 17
  ]);
  expect(decisions(r)).toEqual(['6 drop no-preference', '11 export raw-allowed', '14 aggregate aggregated-only', '17 aggregate aggregated-only']);
});

// (the control — the same renegotiations without the refused offer, frame 10 aggregated — is in PASSING.test.ts)
