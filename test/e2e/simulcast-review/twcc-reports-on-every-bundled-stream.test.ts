/**
 * Found by a review of simulcast, RID and SDP attribute binding, fixed since: a TWCC feedback is governed by every stream bound to
 * an m-section of its transport, not by its header media SSRC alone
 * (src/pipeline/media-core.ts readRtcp / transportWideGoverning).
 */
/**
 * Input: a WebRTC client A (10.0.0.1:4000) and an SFU B (10.0.0.2:5000), the BUNDLE call of
 *   ../sfu/sfu-call.ts (a v v2 r, rtcp-mux, mid extension id 4), both sides also negotiating the
 *   transport-wide sequence number extension (`a=extmap:5 http://www.ietf.org/id/
 *   draft-holmer-rmcat-transport-wide-cc-extensions-01`) in audio a and simulcast video v.
 *   `a=aipref:mid apt-a` (raw) in a, `a=aipref:mid apt-v` (export none) in v. A sends audio
 *   SSRC 1111 (mid a, transport-wide seq 1) and simulcast layer 2001 (mid v, rid h, no a=ssrc;
 *   transport-wide seq 2 and 3). Frame 7: B's compound SR 9001 (the SFU's audio, a=ssrc in a) +
 *   a TWCC feedback (RTPFB FMT 15) whose header media SSRC is 1111 and whose FCI covers
 *   transport-wide seq 1..3: all three received, receive deltas 250/500/750 µs. Replayed with
 *   --workers 0 and 2 (same lines).
 * Was: the TWCC item's subjects are only its header's media SSRC (telemetry-items.ts appendItems,
 *   RTPFB: onlyOther(mediaSsrc)); 1111 is audio's, so the item is `7 9001 205 export raw-allowed
 *   [apt-a]` and exported raw with `twcc.status` "111" and `deltasUs` [250,500,750]: the
 *   per-packet arrival timing of video layer 2001's packets (seq 2 and 3) leaves under audio's
 *   statement, though v's statement says export none.
 * Correct: the transport-wide sequence number is one counter for every RTP stream sent over the
 *   transport (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: the extension "uses the
 *   same counter for all packets which are sent over the same connection (for instance defined
 *   by bundle)"; §3.1: the feedback reports each packet's arrival by that number, whatever its
 *   SSRC — the header's media SSRC is just one of them, libwebrtc puts the last one received). A TWCC message reports on every stream sending the extension on that transport;
 *   SPEC §4: an item that reports on another source is governed by that source's stream too,
 *   the most restrictive winning (as for RFC 8888 feedback, whose report blocks name their
 *   streams). With v's apt-v (export none) among them the item is dropped: no telemetry export
 *   carries a TWCC.
 * Fix: src/enforce/telemetry-items.ts / src/pipeline/media-core.ts readRtcp: for RTPFB FMT 15,
 *   govern the item by every stream of the session whose RTP arrives on the RTCP packet's
 *   transport towards the feedback's sender (or, conservatively, every m-section of that
 *   transport entry — those declaring the transport-cc a=extmap), not by its header SSRC alone.
 */
import { afterAll, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 30_000 });
import { policyOf, Workspace } from '../e2e-helpers.js';
import { callSetup, replay } from '../calls-on-any-address.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { clientOffer, rtcpX, rtpX, sfuAnswer, srP } from '../sfu/sfu-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const TW = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'raw', retention: '1h' }, 'apt-v': { type: 'domain', export: 'none', retention: '1h' } } });
/** the two-byte transport-wide sequence number element */
const tw = (seq: number) => String.fromCharCode(seq >> 8, seq & 255);

it('a TWCC feedback about packets of an export-none simulcast layer is not exported raw under the audio header SSRC', async () => {
  const offer = clientOffer({ a: ['a=aipref:mid apt-a', `a=extmap:5 ${TW}`], v: ['a=aipref:mid apt-v', `a=extmap:5 ${TW}`] });
  const answer = sfuAnswer({ a: [`a=extmap:5 ${TW}`], v: [`a=extmap:5 ${TW}`] });
  const twcc = { pt: 205, fmt: 15, senderSsrc: 9001, mediaSsrc: 1111, twcc: { baseSeq: 1, statusCount: 3, referenceTime: 5, fbCount: 0, status: '111', deltasUs: [250, 500, 750] } } as unknown as RtcpPacketInput;
  const pkts = [
    ...callSetup({ offer, answer }),
    rtpX(1111, [{ id: 4, v: 'a' }, { id: 5, v: tw(1) }], 1, 111), // 4
    rtpX(2001, [{ id: 4, v: 'v' }, { id: 10, v: 'h' }, { id: 5, v: tw(2) }], 1, 96), // 5
    rtpX(2001, [{ id: 4, v: 'v' }, { id: 10, v: 'h' }, { id: 5, v: tw(3) }], 2, 96), // 6
    rtcpX([srP(9001), twcc], 'B'), // 7
  ];
  const r = await replay(ws, pkts, POL);
  expect(r.bindings.map((b) => `${b.ssrc} ${b.mid} ${b.via}`).sort()).toEqual(['1111 a a=ssrc', '2001 v rtp-mid', '9001 a a=ssrc']);
  const fb = r.decisions.filter((d) => d.pt === 205).map((d) => `${d.frame} ${d.decision} ${d.reason}`);
  expect(fb).toEqual(['7 drop export-none']);
  expect(JSON.stringify(r.exports)).not.toContain('deltasUs');
});
