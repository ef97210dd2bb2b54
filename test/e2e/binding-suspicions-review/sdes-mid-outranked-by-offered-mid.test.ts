/**
 * Found by a review of binding suspicions, fixed since: an SDES MID newer than a mid read under a pending offer's extension ids forgets that one (src/pipeline/media-core.ts MediaCore.learnFromChunk), as a mid read by the ids in force does.
 */
/**
 * Input: a BUNDLE call A (10.0.0.1:4000) ↔ B (10.0.0.2:5000), m-sections a and v on one
 *   address (rtcp-mux), no mid header extension; `a=aipref:mid apt-raw` on a, `apt-raw2` (raw)
 *   on v. A's stream 77 (no a=ssrc) is bound by an RTCP SDES MID item "a" (RFC 8843 §15,
 *   frame 4). A re-INVITE (frame 5) adds `a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid` to
 *   both m-sections and restricts v to `apt-none` (export none). While it awaits its answer,
 *   A's RTP carries element 5 = "a" (frame 6: read by the offer's id only, StreamState.offeredMid),
 *   then A's RTCP carries a newer SDES MID "v" beside its SR (frame 8) and another SR follows
 *   (frame 9). B answers 200 with the same a=extmap (frame 10); A sends an SR (frame 11) before
 *   its next RTP packet, which carries "v" by the id now in force (frame 12), then an SR (13).
 *   Replayed with --workers 0 and 2 (same lines).
 * Was: the SDES MID "v" sets learnedMid but leaves offeredMid "a" in place (media-core.ts
 *   learnFromChunk never calls forgetOfferedMid), so bindStream binds the stream to v in force
 *   and to the OFFER's a (offeredMid ?? learnedMid): SRs at frames 8 and 9 are exported raw
 *   under [apt-raw2, apt-raw] — v's offered restriction apt-none is not applied. At the answer,
 *   settleOfferedMid promotes the stale "a" over the newer "v": frame 11 is exported raw under
 *   apt-raw (m-section a) too. Only RTP re-read under the committed id (12) fixes it: 13 dropped.
 * Correct: the stream's latest mid is "v" from frame 8 on — "a later mid moves a stream" whether
 *   it comes by the RTP extension or SDES MID (README, Binding; RFC 8843 §9.2 / §15: both carry
 *   the same MID, the latest association holds). SPEC §5: a pending offer's restrictions apply
 *   from the offer on, so v's offered apt-none governs frames 8 and 9 (drop, export-none), and
 *   after the answer v's apt-none alone (frame 11 dropped). The in-force side and the offered
 *   side must not bind one stream to two different mids.
 * Fix: src/pipeline/media-core.ts learnFromChunk: when an SDES MID item changes (or restates) the
 *   stream's mid, forgetOfferedMid(stream) as rtpStream does when the ids in force read a mid —
 *   a newer media-plane mid outranks one read earlier under the offer's ids (and so is never
 *   promoted over it by settleOfferedMid at the answer).
 */
import { afterAll, expect, it, vi } from 'vitest';
import { replay } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import { bundleSdp, call, M, POL, reInvite, rtcpFromA, rtpFromA, sdesMidOnly, sr, text } from './common.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());

it('a newer SDES MID outranks the mid read earlier under a pending offer’s extension id', async () => {
  const ext = [`a=extmap:5 ${M}`];
  const [offer, ok] = reInvite(
    bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-raw', ...ext] }, { mid: 'v', lines: ['a=aipref:mid apt-none', ...ext] }]),
    bundleSdp('b', [{ mid: 'a', lines: ext }, { mid: 'v', lines: ext }]),
  );
  // `replay` checks the lines are identical with --workers 0 and 2
  const r = await replay(
    ws,
    [
      ...call(bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-raw'] }, { mid: 'v', lines: ['a=aipref:mid apt-raw2'] }]), bundleSdp('b', [{ mid: 'a' }, { mid: 'v' }])), // 1-3
      rtcpFromA([sr(77), sdesMidOnly(77, 'a')]), // 4: bound to a by SDES MID
      offer, // 5: v restricted to apt-none, mid extension id 5
      rtpFromA(77, [[5, text('a')]]), // 6: "a" by the offer's id only
      rtcpFromA([sr(77)]), // 7: a (raw) in force and offered
      rtcpFromA([sr(77), sdesMidOnly(77, 'v')]), // 8: the stream's mid is now "v"
      rtcpFromA([sr(77)]), // 9
      ok, // 10: answered with id 5
      rtcpFromA([sr(77)]), // 11: before the next RTP packet
      rtpFromA(77, [[5, text('v')]], 2), // 12
      rtcpFromA([sr(77)]), // 13
    ],
    POL,
  );
  const srs = r.decisions.filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} ${d.reason}`);
  expect(srs).toEqual(['4 export raw-allowed', '7 export raw-allowed', '8 drop export-none', '9 drop export-none', '11 drop export-none', '13 drop export-none']);
  expect(r.exports.filter((e) => e.ts > 1767225600.75).map((e) => e.ts)).toEqual([]);
});
