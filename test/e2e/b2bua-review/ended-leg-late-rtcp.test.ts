/**
 * Found by a review of B2BUA/SBC topologies, fixed since: media between addresses one of which only an ended dialog named is not routed by a live call's a=ssrc (src/binding/transport-map.ts endedEndV4/V6; src/pipeline/media-core.ts lookup; src/pipeline/replay-engine.ts declaredSsrc).
 */
// Input: one call through an SBC at S (10.0.0.5): A-leg 'aleg' (A 10.0.0.1:4000 ↔ S:20000, a=aipref:session
//   apt-none) and B-leg 'bleg' (S:30000 ↔ B 10.0.0.2:5000, apt-raw), both legs declaring the relayed SSRCs
//   a=ssrc:1111 / a=ssrc:2222 (a collision while both live: each leg routes by transport, correctly). The
//   A-leg ends first (BYE/200); A's late SR (SSRC 1111) then still arrives A:4001 → S:20001, and the SBC's
//   last SR on the A-leg S:20001 → A:4001 — both between addresses only the ENDED A-leg named.
// Was: lookupDatagramV4 finds no live dialog (both ends ended) and MediaCore.lookup then falls back to the
//   a=ssrc route: 1111/2222 are now declared by the B-leg alone, so the A-leg's late telemetry is judged
//   by the B-leg's apt-raw and exported raw under Call-ID 'bleg' ("10 1111 export raw-allowed apt-raw").
//   The A-leg user's export=none, which governed the very same packets a second earlier, is bypassed.
// Correct: SPEC §5 "BYE ends the dialog and its bindings"; the transport addresses are the A-leg's (§2), so
//   the packets are the ended A-leg's late media: no live dialog binds them — drop, no-preference (as
//   test/e2e/port-reuse-review/late-rtcp-to-ended-peer.test.ts settles for a datagram to an ended
//   dialog's address); never an export under the other leg.
// Fix: src/pipeline/media-core.ts MediaCore.lookup (and replay-engine.ts routeOf/declaredSsrc): when the
//   datagram's lookup came back empty because an end is an ended dialog's address (TransportMap
//   endedV4/endedV6 — let lookupDatagramV4/V6 say so), do not fall back to TransportMap.lookupSsrc.
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { aLeg, bLeg, bye, onA, onB, replay } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const same = { offer: 1111, answer: 2222 };

describe('B2BUA: the A-leg ends first, its late RTCP still arrives', () => {
  it('is not judged (nor exported) under the B-leg that declares the same SSRCs', async () => {
    const o = await replay(ws, 'a-leg-ends-first', [
      ...aLeg(0, 'apt-none', same), // frames 1-3
      ...bLeg(1, 'apt-raw', same), // frames 4-6
      onA(2, true, 1111, 2222), // frame 7: while the A-leg lives — drop under apt-none (holds today)
      ...bye('aleg', 3, 2), // frames 8-9
      onA(3.5, true, 1111, 2222), // frame 10: A's late SR on the ended A-leg
      onA(3.6, false, 2222, 1111), // frame 11: the SBC's last SR on the ended A-leg
      onB(3.7, true, 1111, 2222), // frame 12: the B-leg goes on — raw under bleg (holds today)
    ]);
    expect(o.d).toEqual(['7 1111 drop export-none apt-none', '10 1111 drop no-preference ', '11 2222 drop no-preference ', '12 1111 export raw-allowed apt-raw']);
    expect(o.exports.map((e) => `${e.dialog?.callId} ${e.stream.ssrc}`)).toEqual(['bleg 1111']);
  });
});
