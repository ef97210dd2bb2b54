/**
 * Found by a review of SFU shapes, fixed since: an RTCP BYE closes the windows of every source it lists.
 *
 * Input: the SFU call of sfu-call.ts (BUNDLE a v v2 r on 10.0.0.1:4000 ↔ 10.0.0.2:5000), the SFU
 * forwarding remote participants 7001 and 7002 in m-section r (`a=ssrc:7001`, `a=ssrc:7002` in
 * its answer), `a=aipref:mid apt-v` (aggregated-only) in r. Frame 4: SR of 7001; frame 5: SR of
 * 7002 (each folded into its stream's window); frame 6: the SFU's compound SR 9001 + BYE listing
 * both sources, SC=2 (`BYE 7001 7002`: both participants left); frame 7: an SR of A's 1111.
 *
 * Was: only the BYE's first SSRC (its "sender") has its window closed at the BYE
 * (MediaCore.readRtcp: `closeStreamWindows(…, (s) => s === sender, 'bye', …)`): 7001's aggregate
 * `{"start":1767225600.4,"end":1767225600.6}`, but 7002's window stays open and closes only at
 * the end of the capture: `{"start":1767225600.5,"end":1767225600.7}` (frame 7's time; with a
 * longer capture, up to its full 10 s window).
 *
 * Correct: RFC 3550 §6.6: "The BYE packet indicates that one or more sources are no longer
 * active", every SSRC/CSRC listed (SC of them) — an SFU or translator forwards one BYE for many
 * departing sources (§7.1), an endpoint sends one for its primary and RTX SSRCs. The README
 * says windows close "on RTCP BYE": every listed source's windows close at the BYE, so 7002's
 * aggregate is `{"start":1767225600.5,"end":1767225600.6}`, emitted at frame 6.
 *
 * Fix: src/pipeline/media-core.ts, MediaCore.readRtcp, the `item.kind === 'bye'` line: close
 * the windows of every stream whose SSRC is in `item.packet.ssrcs` (within the sender's session),
 * not only the sender's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { callSetup, replay } from '../calls-on-any-address.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { clientOffer, rtcpX, sfuAnswer, srP } from './sfu-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-v': { type: 'domain', export: 'aggregated-only', retention: '1h' } } });

describe('RFC 3550 §6.6: a BYE listing several sources closes each one’s window', () => {
  it('the SFU’s BYE 7001 7002 closes 7002’s window too', async () => {
    const pkts = [
      ...callSetup({ offer: clientOffer({ r: ['a=aipref:mid apt-v'] }), answer: sfuAnswer() }),
      rtcpX([srP(7001)], 'B'), // 4
      rtcpX([srP(7002)], 'B'), // 5
      rtcpX([srP(9001), { pt: 203, ssrcs: [7001, 7002] } as unknown as RtcpPacketInput], 'B'), // 6
      rtcpX([srP(1111)], 'A'), // 7
    ];
    const r = await replay(ws, pkts, POL);
    const aggregates = r.exports.filter((e) => e.type === 'aggregate').map((e) => `${e.stream.ssrc} ${JSON.stringify((e as unknown as { window: unknown }).window)}`);
    expect(aggregates.sort()).toEqual(['7001 {"start":1767225600.4,"end":1767225600.6}', '7002 {"start":1767225600.5,"end":1767225600.6}']);
  });
});
