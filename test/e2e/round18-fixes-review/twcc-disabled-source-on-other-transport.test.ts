/**
 * Found by a review of the round-18 fixes, fixed since: a disabled stream stops only the TWCC of the transport it was seen sending on (its entry, or an entry sharing an m-section with it; anywhere when it came by its SSRC alone) (src/pipeline/media-core.ts MediaCore.transportWideGoverning, StreamState.sentWhileDisabled).
 */
/**
 * Input: a call WITHOUT BUNDLE, A 10.0.0.1 ↔ B 10.0.0.2: audio a (A 4000 / B 5000,
 *   `a=aipref:mid apt-raw`, a=ssrc 1111 / 9001) and video v (A 4002 / B 5002,
 *   `a=aipref:mid apt-none`, a=ssrc 2001), each its own transport (rtcp-mux), each with the mid
 *   (id 5) and transport-wide seq (id 6) extensions. B's TWCC on the AUDIO transport (5000→4000,
 *   covering audio's packets) is exported raw (frame 7: v, on another transport, does not
 *   govern it). A re-INVITE's 200 disables v (port 0, frame 9); audio goes on and the audio
 *   TWCC is exported (frame 12). A's video source keeps sending to its old transport
 *   (4002→5002, frame 13); the same audio-transport TWCC follows (frame 14).
 *   Replayed with --workers 0 and 2.
 * Was: frame 14 is dropped, stream-disabled: transportWideGoverning stops the item on any
 *   stream of a disabled m-section with sentWhileDisabled, before (and without) the check that
 *   the stream may send on the feedback's transport. The video packets went to 5002; the
 *   audio TWCC times none of them. Disabling v made the audio TWCC stricter than v enabled
 *   ever did (frame 7).
 * Correct: README (Items): a TWCC "times every packet its transport carried", and a disabled
 *   stream stops it only because "the feedback times its packets"; draft-holmer-rmcat-
 *   transport-wide-cc-extensions-01 §2/§3.1: one sequence counter per transport, feedback
 *   about that transport's packets. Streams off that transport do not govern it (frame 7), so
 *   frame 14 is exported raw under apt-raw like frame 12.
 * Fix: src/pipeline/media-core.ts: remember where a disabled-section stream was seen sending
 *   (e.g. the TransportEntry/flow of that RTP in rtpStream) and let it stop only a TWCC of that
 *   transport (or one routed by a=ssrc, `anywhere`), as the transport test does for enabled ones.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { A, B, replay, rtcp, sdp } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { call, M, POL, reInvite, rtpBytes, sr, text, TW } from '../binding-suspicions-review/common.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());
const tw = (seq: number) => [seq >> 8, seq & 255];
const twcc = (mediaSsrc: number, baseSeq: number) =>
  ({ pt: 205, fmt: 15, senderSsrc: 9001, mediaSsrc, twcc: { baseSeq, statusCount: 2, referenceTime: 5, fbCount: baseSeq, status: '11', deltasUs: [250, 500] } }) as unknown as RtcpPacketInput;
const ext = [`a=extmap:5 ${M}`, `a=extmap:6 ${TW}`];
/** two m-sections on two ports, no BUNDLE group; vPort 0 disables video */
const side = (addr: string, aPort: number, vPort: number, aLines: string[], vLines: string[]) =>
  sdp(addr, [
    [`m=audio ${aPort} RTP/AVP 0`, 'a=mid:a', 'a=rtcp-mux', ...aLines, ...ext],
    [`m=video ${vPort} RTP/AVP 96`, 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', ...(vPort === 0 ? [] : [...vLines, ...ext])],
  ]);

it('a disabled source that sends on its own transport does not stop another transport’s TWCC', async () => {
  const offer = side(A, 4000, 4002, ['a=aipref:mid apt-raw', 'a=ssrc:1111 cname:x'], ['a=aipref:mid apt-none', 'a=ssrc:2001 cname:x']);
  const answer = side(B, 5000, 5002, ['a=ssrc:9001 cname:y'], []);
  const [reOffer, disabling] = reInvite(offer, side(B, 5000, 0, ['a=ssrc:9001 cname:y'], []));
  const audio = (seq: number) => ({ src: A, dst: B, sport: 4000, dport: 5000, payload: rtpBytes(1111, [[5, text('a')], [6, tw(seq)]], seq) });
  const video = (seq: number) => ({ src: A, dst: B, sport: 4002, dport: 5002, payload: rtpBytes(2001, [[5, text('v')], [6, tw(seq)]], seq, 96) });
  const audioTwcc = (base: number) => rtcp(B, A, 5000, 4000, [twcc(1111, base)]);
  // `replay` checks the lines are identical with --workers 0 and 2
  const r = await replay(
    ws,
    [
      ...call(offer, answer), // 1-3
      audio(1), // 4
      audio(2), // 5
      video(1), // 6: video's own transport, its own sequence counter
      audioTwcc(1), // 7: audio's packets only: exported
      reOffer, // 8
      disabling, // 9: v at port 0
      audio(3), // 10
      audio(4), // 11
      audioTwcc(3), // 12: exported
      video(2), // 13: the disabled source sends to its old transport, not the audio one
      audioTwcc(3), // 14: the same audio-transport feedback
      rtcp(B, A, 5000, 4000, [sr(9001)]), // 15
    ],
    POL,
  );
  expect(r.bindings.find((b) => b.ssrc === 2001)?.mid).toBe('v');
  const fb = r.decisions.filter((d) => d.pt === 205).map((d) => `${d.frame} ${d.decision} ${d.reason}`);
  expect(fb).toEqual(['7 export raw-allowed', '12 export raw-allowed', '14 export raw-allowed']);
});
