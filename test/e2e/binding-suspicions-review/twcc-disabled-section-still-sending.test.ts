/**
 * Found by a review of binding suspicions, fixed since: a stream of an m-section the answer disabled that is seen sending RTP to the call after it stops a transport-wide feedback (stream-disabled) (src/pipeline/media-core.ts MediaCore.transportWideGoverning, StreamState.sentWhileDisabled set in rtpStream, cleared at each scope).
 */
/**
 * Input: a BUNDLE call A (10.0.0.1:4000) ↔ B (10.0.0.2:5000): audio a (`a=aipref:mid apt-raw`,
 *   a=ssrc 1111 for A, 9001 for B) and video v (`a=aipref:mid apt-none`), both declaring the mid
 *   extension (id 5) and the transport-wide sequence number extension (id 6), rtcp-mux. A sends
 *   audio 1111 (mid a) and video 2001 (mid v, no a=ssrc) with transport-wide seq 1, 2; B's TWCC
 *   feedback (RTPFB FMT 15, header media SSRC 1111, FCI seq 1..2) is dropped (v governs it).
 *   A re-INVITE keeps v, B's 200 answers it with v at port 0 (frame 10: disabled, SPEC §5
 *   "processing stops"). A's video source keeps sending on the BUNDLE address (RTP 2001 mid v,
 *   transport-wide seq 4 after audio's 3), and B's TWCC covering seq 3..4 follows twice: header
 *   media SSRC 1111 (frame 14), then 2001 (frame 15). Replayed with --workers 0 and 2.
 * Was: frame 14's TWCC is EXPORTED raw under apt-raw with its per-packet arrival deltas — the
 *   timing of the disabled video stream's packet (seq 4) leaves, though before the answer the
 *   same feedback was dropped because of v: disabling the m-section relaxed it.
 *   transportWideGoverning passes over every stream whose m-section the answer disabled ("has
 *   left the transport"), though this one is seen sending on it. The very same FCI with 2001 in
 *   its header (frame 15) is dropped, stream-disabled: the outcome hangs on which SSRC the
 *   sender put in the header, which the TWCC draft leaves arbitrary.
 * Correct: SPEC §4 — an item that reports on another source is governed by that source's stream
 *   too, the most restrictive winning; a TWCC reports on every packet its transport carried
 *   (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2, §3.1; README "Decisions": every
 *   stream that may send there governs it). SPEC §5: disabling stops the stream's processing — a
 *   restriction, never a relaxation. Frame 14 is dropped like frame 15 and like frame 6.
 * Fix: src/pipeline/media-core.ts transportWideGoverning: do not pass over a stream of a disabled
 *   m-section that has sent RTP on the transport since the scope disabled it (e.g. lastSeen after
 *   the disabling scope's time); such a stream stops the item (stoppedStreamDecision), as it
 *   does when it is the header's media SSRC.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { replay } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { bundleSdp, call, M, POL, reInvite, rtcpFromB, rtpFromA, sr, text, TW } from './common.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());
const tw = (seq: number) => [seq >> 8, seq & 255];
const twcc = (mediaSsrc: number, baseSeq: number) =>
  ({ pt: 205, fmt: 15, senderSsrc: 9001, mediaSsrc, twcc: { baseSeq, statusCount: 2, referenceTime: 5, fbCount: baseSeq, status: '11', deltasUs: [250, 500] } }) as unknown as RtcpPacketInput;

it('a TWCC covering packets of a disabled m-section that keeps sending is not exported under another section', async () => {
  const ext = [`a=extmap:5 ${M}`, `a=extmap:6 ${TW}`];
  const offer = bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-raw', 'a=ssrc:1111 cname:x', ...ext] }, { mid: 'v', kind: 'video', lines: ['a=aipref:mid apt-none', ...ext] }]);
  const answer = bundleSdp('b', [{ mid: 'a', lines: ['a=ssrc:9001 cname:y', ...ext] }, { mid: 'v', kind: 'video', lines: ext }]);
  const answerDisabling = bundleSdp('b', [{ mid: 'a', lines: ['a=ssrc:9001 cname:y', ...ext] }, { mid: 'v', kind: 'video', port: 0 }]);
  const [reOffer, disabling] = reInvite(offer, answerDisabling);
  // `replay` checks the lines are identical with --workers 0 and 2
  const r = await replay(
    ws,
    [
      ...call(offer, answer), // 1-3
      rtpFromA(1111, [[5, text('a')], [6, tw(1)]], 1), // 4
      rtpFromA(2001, [[5, text('v')], [6, tw(2)]], 1, 96), // 5
      rtcpFromB([twcc(1111, 1)]), // 6: covers v's seq 2: dropped
      rtcpFromB([sr(9001)]), // 7
      reOffer, // 8
      rtcpFromB([sr(9001)]), // 9
      disabling, // 10: v at port 0
      rtpFromA(1111, [[5, text('a')], [6, tw(3)]], 2), // 11
      rtpFromA(2001, [[5, text('v')], [6, tw(4)]], 2, 96), // 12: the disabled source still sends
      rtcpFromB([sr(9001)]), // 13
      rtcpFromB([twcc(1111, 3)]), // 14: covers seq 3 (audio) and 4 (disabled video)
      rtcpFromB([twcc(2001, 3)]), // 15: the same, header naming the video source
    ],
    POL,
  );
  expect(r.bindings.find((b) => b.ssrc === 2001)?.mid).toBe('v');
  const fb = r.decisions.filter((d) => d.pt === 205).map((d) => `${d.frame} ${d.decision}`);
  expect(fb).toEqual(['6 drop', '14 drop', '15 drop']);
  expect(JSON.stringify(r.exports)).not.toContain('deltasUs');
});
