/**
 * Found by a review of RTP header extensions, fixed since: a mid read only by the ids a pending offer declares binds the stream to that offer's m-section alone (StreamState.offeredMid; src/pipeline/media-core.ts rtpStream, src/binding/stream-table.ts bindStream/sectionOf), never to one in force.
 */
/**
 * Input: a BUNDLE call (mids a and v on one address; `a=aipref:mid apt-a` aggregated-only on a,
 *   `a=aipref:mid apt-v` raw on v) whose offer and answer declare no mid header extension, so
 *   A's RTP stream (SSRC 77, on the shared address, no a=ssrc) belongs to the dialog only and
 *   its SR is dropped (no-preference). Then a re-INVITE whose offer adds
 *   `a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid`; while it awaits its answer A's RTP carries
 *   element 5 = "v", and A sends an SR; B refuses the offer (`488` + `Warning: 399 aipref`),
 *   and A sends one more RTP packet and SR. Replayed with 0 and 2 workers.
 * Was: media-core.ts rtpStream reads the mid by the pending offer's extmap ids
 *   (midFromExtension(scope.pending, …)) and stores it as the stream's learnedMid, which
 *   sectionOf then uses against the COMMITTED scope: the stream is bound `via: rtp-mid` to the
 *   committed m-section v at once, and its SR in the pending phase (frame 8) is exported raw
 *   under apt-v — a drop turned into a raw export by an unanswered offer. After the 488 ("its
 *   changes are discarded", says the scope-transitioned report) the binding stays: the SR at
 *   frame 11 is exported raw too, and `bindings` says 77 → v via rtp-mid, although no SDP in
 *   force ever declared the mid extension.
 * Correct: SPEC §5 — restrictions take effect from the offer, relaxations only once the answer
 *   confirms them, and a 488 with Warning 399 aipref discards the offer's changes. The offer's
 *   a=extmap is such a change (RFC 8285 §6: an extension is in use only once negotiated by
 *   offer/answer; RFC 3264 §8: a refused offer leaves the old session in force). So until an
 *   answer accepts the mapping, a mid read by it may only bind the stream in the pending scope
 *   (pendingSection, whose restrictions apply), never in the committed one; and after the
 *   refusal nothing learned through it remains. Both SRs are dropped (no-preference), and the
 *   binding row is not `rtp-mid`.
 * Fix: src/pipeline/media-core.ts rtpStream: keep a mid read only through `scope.pending`'s ids
 *   apart (e.g. stream.pendingLearnedMid) and let src/binding/stream-table.ts sectionOf use it
 *   for `scope.pending` only; promote it to learnedMid when the answer commits that scope,
 *   forget it when the offer is refused.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { bundleCall, bundleSdp, decisions, fromA, M, reInvite, rows, run, srFromA, V } from './harness.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());

it("a mid read by a pending offer's a=extmap neither relaxes the committed scope nor survives the offer's refusal", async () => {
  const [offer, refusal] = reInvite(bundleSdp('a', [`a=extmap:5 ${M}`]), 'refuse');
  const r = await run(ws, [
    ...bundleCall([]), // frames 1-3
    fromA(77, 0xbede, [0x50, V]), // 4
    srFromA(77), // 5: dropped, no preference
    offer, // 6
    fromA(77, 0xbede, [0x50, V]), // 7
    srFromA(77), // 8: the offer is pending
    refusal, // 9
    fromA(77, 0xbede, [0x50, V]), // 10
    srFromA(77), // 11: the offer was refused
  ]);
  expect(r.reports.map((x) => x.type)).toContain('scope-transitioned');
  // the decision, whatever reason a fix gives for the pending phase
  expect(decisions(r).map((d) => d.split(' ').slice(0, 2).join(' '))).toEqual(['5 drop', '8 drop', '11 drop']);
  expect(rows(r)).toEqual(['77 null dialog []']);
});
