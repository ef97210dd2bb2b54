/**
 * Found by a review of the latest changes (WebSocket, offeredMid, counters), fixed since: an offeredMid whose offer is answered with its extension id in force becomes the stream's learned mid at the answer (src/binding/stream-table.ts settleOfferedMid).
 */
/**
 * Input: a BUNDLE call (mids a and v on one address, `a=aipref:mid apt-a` aggregated-only on a,
 *   `apt-v` raw on v) whose SDP declares no mid header extension; the policy's repository (SPEC
 *   §7.2 `dialogs`) gives the call apt-v (raw). A's RTP stream 77 (no a=ssrc) is bound to the
 *   dialog only. A re-INVITE offer adds `a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid`; while
 *   it is pending A's RTP carries element 5 = "a" and A sends an SR (frame 8); B answers 200 with
 *   the same a=extmap (frame 9); A sends an SR (frame 10) before its next RTP packet (11), then
 *   another SR (12). Replayed with 0 and 2 workers.
 * Was: the offer's mid binds the stream to the pending m-section a (StreamState.offeredMid), so
 *   the SR at frame 8 is aggregated (apt-a's restriction applies from the offer). At the answer
 *   the committed scope becomes the offer's, but offeredMid is only ever consulted for
 *   `scope.pending` and never promoted: bindStream against the new committed scope finds no
 *   learnedMid, the stream falls back to the dialog, and the SR at frame 10 is EXPORTED RAW under
 *   apt-v alone; only the next RTP packet (re-read through the now committed ids) binds it to a
 *   again (frame 12 aggregated). The answer that confirmed the restriction lifted it. A stream
 *   that stops sending RTP at the answer (hold, inactive) keeps sending SR/RR raw indefinitely.
 * Correct: SPEC §5 — restrictions take effect from the offer, relaxations only once the answer
 *   confirms them; "telemetry after the change is judged by the new scope": the new scope is the
 *   offer's, in which the stream is m-section a (its mid read through the very a=extmap the
 *   answer accepted, RFC 8285 §6, RFC 8843 §9.2). Frame 10 is aggregated like frames 8 and 12.
 * Fix: src/binding (where the answer commits scope.pending — DialogScope commit / the stream
 *   rebinding in bindStream): when the pending scope becomes the committed one, promote each
 *   stream's offeredMid to learnedMid (learnedMidVia 'rtp-mid') and clear it; clear it too when
 *   the offer is refused or replaced (see offered-mid-stale-after-refusal.test.ts).
 */
import { afterAll, expect, it, vi } from 'vitest';
import { replay } from '../../e2e/calls-on-any-address.js';
import { policyOf, Workspace } from '../../e2e/e2e-helpers.js';
import { bundleCall, bundleSdp, CALL_ID, decisions, fromA, M, reInvite, srFromA } from '../../media/rtp-extensions-review/harness.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());
const MID_A = 0x61; // 'a'
const POL = policyOf({
  apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-v': { type: 'domain', export: 'raw', retention: '1h' } },
  dialogs: [{ callId: CALL_ID, apt: ['apt-v'] }],
});

it("the answer that commits an offer's a=extmap keeps the stream on the m-section the offer's mid named", async () => {
  const [offer, ok] = reInvite(bundleSdp('a', [`a=extmap:5 ${M}`]), bundleSdp('b', [`a=extmap:5 ${M}`]));
  // `replay` checks the lines are identical with --workers 0 and 2
  const r = await replay(
    ws,
    [
      ...bundleCall([]), // 1-3
      fromA(77, 0xbede, [0x50, MID_A]), // 4
      srFromA(77), // 5: dialog only (repository apt-v): raw
      offer, // 6
      fromA(77, 0xbede, [0x50, MID_A]), // 7: mid a by the offer's id 5
      srFromA(77), // 8: pending, bound to the offer's a: aggregated
      ok, // 9: the answer accepts a=extmap:5
      srFromA(77), // 10: before the next RTP packet
      fromA(77, 0xbede, [0x50, MID_A]), // 11
      srFromA(77), // 12
    ],
    POL,
  );
  expect(decisions(r)).toEqual(['5 export raw-allowed', '8 aggregate aggregated-only', '10 aggregate aggregated-only', '12 aggregate aggregated-only']);
});
