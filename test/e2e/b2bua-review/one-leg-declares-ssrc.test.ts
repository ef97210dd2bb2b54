/**
 * Found by a review of B2BUA/SBC topologies, fixed since: RTCP is taken from the call at its address by another call's a=ssrc only when the call at the address declares SSRCs of its own but not this one (src/binding/transport-map.ts declaredOver).
 */
// Input: one call through an SBC at S (10.0.0.5) — A-leg 'aleg' (A 10.0.0.1:4000 ↔ S:20000) and B-leg 'bleg'
//   (S:30000 ↔ B 10.0.0.2:5000), different Call-IDs, media relayed with the same SSRCs (1111 A's, 2222 B's)
//   on both legs. Only ONE leg's SDP carries a=ssrc lines (the SBC/phone on the other leg sends none, or
//   drops them in a re-INVITE); each leg carries its own a=aipref:session (one apt-none, the other apt-raw).
//   RTCP flows on both legs between exactly the addresses that leg's SDP names (RTCP on port+1).
// Was: TransportMap.declaredOver sends every RTCP compound whose sender SSRC the other leg declares to the
//   other leg: the leg without a=ssrc loses ALL its RTCP to the other leg. Its own apt-none is never
//   consulted — its telemetry is exported raw, under the other leg's Call-ID and apt-raw (e.g. A-leg,
//   whose user says export=none: "7 1111 export raw-allowed apt-raw", export dialog "bleg").
// Correct: SPEC §2 — a transport address binds a stream to the dialog whose m-line/c= name it, and a
//   dialog's identifiers govern its streams; §4 — an item is governed by the stream of its sender (the
//   stream on this leg); "absence is not consent" and the most restrictive result wins: the leg saying
//   export=none must have its RTCP dropped (export-none, its apt-none among the deciding APTs), and none
//   of it may be exported under the other leg's dialog. (At the least the leg's own APT applies; the other
//   leg's declaration may add restrictions — media-core.ts already folds in `senderElsewhere` — never remove them.)
// Fix: src/binding/transport-map.ts TransportMap.declaredOver (and replay-engine.ts routeOf, which follows
//   it) — reroute by a=ssrc only when the dialog found by address itself declares a=ssrc lines that do not
//   include this SSRC (the port-reuse case); a dialog that declares no a=ssrc gives no evidence against
//   the address match: keep the address route and let MediaCore's declaredElsewhere combine the other
//   leg's word (most restrictive).
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { aLeg, bLeg, onA, onB, replay } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const same = { offer: 1111, answer: 2222 };
const undeclared = { offer: null, answer: null };

describe('B2BUA: only one leg declares the relayed SSRCs with a=ssrc', () => {
  it('only the B-leg declares; the A-leg (apt-none) keeps its own RTCP and nothing of it leaves', async () => {
    const o = await replay(ws, 'only-b-declares', [
      ...aLeg(0, 'apt-none', undeclared), // frames 1-3
      ...bLeg(1, 'apt-raw', same), // frames 4-6
      onA(2, true, 1111, 2222), // frame 7: A → S, A's SR on the A-leg
      onB(2.1, true, 1111, 2222), // frame 8: S → B, the relayed SR on the B-leg
      onB(2.2, false, 2222, 1111), // frame 9: B → S
      onA(2.3, false, 2222, 1111), // frame 10: S → A, B's SR relayed onto the A-leg
    ]);
    const aLegFrames = o.decisions.filter((d) => d.frame === 7 || d.frame === 10).map((d) => `${d.frame} ${d.decision} ${d.reason} ${d.apt.includes('apt-none')}`);
    expect(aLegFrames).toEqual(['7 drop export-none true', '10 drop export-none true']);
    // what left, left under the B-leg's own frames only (8 and 9), never A-leg telemetry under 'bleg'
    const aLegTs = o.decisions.filter((d) => d.frame === 7 || d.frame === 10).map((d) => d.ts);
    expect(aLegTs).toHaveLength(2);
    expect(o.exports.filter((e) => aLegTs.includes(e.ts))).toEqual([]);
  });

  it('only the A-leg declares; the B-leg (apt-none) keeps its own RTCP and nothing of it leaves', async () => {
    const o = await replay(ws, 'only-a-declares', [
      ...aLeg(0, 'apt-raw', same),
      ...bLeg(1, 'apt-none', undeclared),
      onA(2, true, 1111, 2222), // frame 7
      onB(2.1, true, 1111, 2222), // frame 8: S → B on the B-leg
      onB(2.2, false, 2222, 1111), // frame 9: B → S, B's own SR (B's user says none)
      onA(2.3, false, 2222, 1111), // frame 10
    ]);
    const bLegFrames = o.decisions.filter((d) => d.frame === 8 || d.frame === 9).map((d) => `${d.frame} ${d.decision} ${d.reason} ${d.apt.includes('apt-none')}`);
    expect(bLegFrames).toEqual(['8 drop export-none true', '9 drop export-none true']);
    const bLegTs = o.decisions.filter((d) => d.frame === 8 || d.frame === 9).map((d) => d.ts);
    expect(bLegTs).toHaveLength(2);
    expect(o.exports.filter((e) => bLegTs.includes(e.ts))).toEqual([]);
  });

  it('both legs declare, then the SBC re-INVITEs the B-leg without a=ssrc: the B-leg (apt-none) stays apt-none', async () => {
    const o = await replay(ws, 'b-reinvite-drops-ssrc', [
      ...aLeg(0, 'apt-raw', same),
      ...bLeg(1, 'apt-none', same),
      onB(2, true, 1111, 2222), // frame 7: collision — by transport, B-leg: drop (holds today)
      ...bLeg(3, 'apt-none', undeclared, 2, ';tag=bbb'), // frames 8-10: same addresses, same APT, no a=ssrc
      onB(4, true, 1111, 2222), // frame 11
      onB(4.1, false, 2222, 1111), // frame 12
    ]);
    expect(o.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason} ${d.apt.includes('apt-none')}`)).toEqual([
      '7 drop export-none true',
      '11 drop export-none true',
      '12 drop export-none true',
    ]);
    expect(o.exports).toEqual([]);
  });
});
