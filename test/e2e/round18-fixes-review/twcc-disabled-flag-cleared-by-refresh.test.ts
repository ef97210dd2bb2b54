/**
 * Found by a review of the round-18 fixes, fixed since: a scope that keeps the m-section disabled (a session refresh) no longer forgets that its source was seen sending after the answer disabled it; only a scope that re-enables it does (src/pipeline/media-core.ts MediaCore.applyEvent).
 */
/**
 * Input: the BUNDLE call of binding-suspicions-review's TWCC test (A 10.0.0.1:4000 ↔ B
 *   10.0.0.2:5000; audio a `a=aipref:mid apt-raw`, a=ssrc 1111 / 9001; video v
 *   `a=aipref:mid apt-none`; mid ext id 5, transport-wide seq ext id 6, rtcp-mux). A re-INVITE's
 *   200 disables v (port 0, frame 8); A's video source 2001 keeps sending on the BUNDLE address
 *   (frame 10, transport-wide seq 4) and B's TWCC covering seq 3..4 (header media SSRC 1111) is
 *   dropped, stream-disabled (frame 11). Then a session-refresh re-INVITE (CSeq 3, frame 12)
 *   whose offer keeps v at port 0 (nothing about v changes), and the same TWCC again while it
 *   is pending (frame 13); B's 200 (frame 14), still v at port 0; the same TWCC (frame 15).
 *   Replayed with --workers 0 and 2.
 * Was: frames 13 and 15 are EXPORTED raw under apt-raw with the per-packet arrival deltas of
 *   the disabled video source's packet; frame 11, the very same feedback, was dropped.
 *   StreamState.sentWhileDisabled is cleared at every scope event (media-core.ts applyEvent
 *   'scope'), a re-INVITE that leaves v disabled included, so until the source's next RTP
 *   packet the TWCC passes v over again: a session refresh (RFC 4028) relaxes it.
 * Correct: README (Items, transport-wide feedback): a stream whose m-section the answer disabled
 *   governs the TWCC "if its source is seen sending RTP to the call after that answer" — v's
 *   source was, after frame 8's answer, and v has stayed disabled since (the refresh neither
 *   answers anew for v nor re-enables it). SPEC §5: disabling is never a relaxation, and an
 *   offer awaiting its answer applies the stricter of old and proposed. 11, 13, 15 all drop.
 * Fix: src/pipeline/media-core.ts applyEvent 'scope': clear sentWhileDisabled only when the
 *   stream's m-section is no longer disabled after the rebind (or when its binding moved to
 *   another section), not at every scope.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { replay } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { bundleSdp, call, M, POL, reInvite, rtcpFromB, rtpFromA, sr, text, TW } from '../binding-suspicions-review/common.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());
const tw = (seq: number) => [seq >> 8, seq & 255];
const twcc = (mediaSsrc: number, baseSeq: number) =>
  ({ pt: 205, fmt: 15, senderSsrc: 9001, mediaSsrc, twcc: { baseSeq, statusCount: 2, referenceTime: 5, fbCount: baseSeq, status: '11', deltasUs: [250, 500] } }) as unknown as RtcpPacketInput;

it('a re-INVITE that leaves the m-section disabled does not make a TWCC timing its source exportable again', async () => {
  const ext = [`a=extmap:5 ${M}`, `a=extmap:6 ${TW}`];
  const audioA = { mid: 'a', lines: ['a=aipref:mid apt-raw', 'a=ssrc:1111 cname:x', ...ext] };
  const offer = bundleSdp('a', [audioA, { mid: 'v', kind: 'video', lines: ['a=aipref:mid apt-none', ...ext] }]);
  const answer = bundleSdp('b', [{ mid: 'a', lines: ['a=ssrc:9001 cname:y', ...ext] }, { mid: 'v', kind: 'video', lines: ext }]);
  const answerDisabling = bundleSdp('b', [{ mid: 'a', lines: ['a=ssrc:9001 cname:y', ...ext] }, { mid: 'v', kind: 'video', port: 0 }]);
  const refreshOffer = bundleSdp('a', [audioA, { mid: 'v', kind: 'video', port: 0 }]);
  const [reOffer, disabling] = reInvite(offer, answerDisabling);
  const [refresh, refreshOk] = reInvite(refreshOffer, answerDisabling, 3);
  // `replay` checks the lines are identical with --workers 0 and 2
  const r = await replay(
    ws,
    [
      ...call(offer, answer), // 1-3
      rtpFromA(1111, [[5, text('a')], [6, tw(1)]], 1), // 4
      rtpFromA(2001, [[5, text('v')], [6, tw(2)]], 1, 96), // 5
      rtcpFromB([twcc(1111, 1)]), // 6: covers v's seq 2: dropped
      reOffer, // 7
      disabling, // 8: v at port 0
      rtpFromA(1111, [[5, text('a')], [6, tw(3)]], 2), // 9
      rtpFromA(2001, [[5, text('v')], [6, tw(4)]], 2, 96), // 10: the disabled source still sends
      rtcpFromB([twcc(1111, 3)]), // 11: covers seq 3 (audio) and 4 (disabled video): dropped
      refresh, // 12: session refresh, v still at port 0
      rtcpFromB([twcc(1111, 3)]), // 13: the same feedback
      refreshOk, // 14: v still at port 0
      rtcpFromB([twcc(1111, 3)]), // 15: the same feedback
      rtcpFromB([sr(9001)]), // 16
    ],
    POL,
  );
  const fb = r.decisions.filter((d) => d.pt === 205).map((d) => `${d.frame} ${d.decision}`);
  expect(fb).toEqual(['6 drop', '11 drop', '13 drop', '15 drop']);
  expect(JSON.stringify(r.exports)).not.toContain('deltasUs');
});
