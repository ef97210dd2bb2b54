/**
 * Found by a review of earlier reviews' suspicions, fixed since: an IJ packet (RFC 5450) is classed `media-metrics`, like the report blocks it extends; decisions are cached by feature class, not by item kind (src/enforce/telemetry-items.ts appendItems, src/enforce/decide.ts decisionSlot).
 */
/**
 * An IJ packet (RFC 5450, PT 195: extended inter-arrival jitter values of the sources of the
 * SR/RR before it) is classed `app`, the class SPEC gives to APP packets (PT 204). Its values are
 * report-block jitter: SPEC's `media-metrics` class. An APT that allows `app` but not
 * `media-metrics` lets it out raw; one that allows `media-metrics` but not `app` drops it.
 *
 * Input: a BUNDLE call (../rtcp-items/items-call.ts) under a policy whose apt-raw (mid a,
 * 1111/2222) says export=raw, features=[app] (APP packets only: no report blocks). A (1111) sends
 * RR {block about 2222} + IJ {one jitter value, 20}.
 *
 * Was (workers 0 and 2 alike):
 *   {"ssrc":1111,"pt":201,"feature":"media-metrics","decision":"drop","reason":"feature-not-allowed"}
 *   {"ssrc":1111,"pt":195,"feature":"app","decision":"export","reason":"raw-allowed","apt":["apt-raw"]}
 * and exports.ndjson carries the IJ item ({"pt":195,"ssrc":1111,"length":8}) raw — the RR it
 * extends is refused as media-metrics, its jitter extension let out as an "application" packet.
 *
 * Correct: SPEC §4 names the classes: "SR and RR (sender info and report blocks) and BYE →
 * media-metrics … APP → app"; SPEC §3's table: `media-metrics` is "SR/RR report blocks". RFC 5450
 * §3: the IJ packet carries "the inter-arrival jitter" of each source the SR/RR before it reports
 * on, in the order of its report blocks — an extension of those report blocks. It is
 * media-metrics: under features=[app] it drops (feature-not-allowed), like the RR.
 * (An RTCP packet type the enforcer does not know at all has no class SPEC names either; calling
 * it `app` is a guess — SPEC §3 "never guessed at" — where the most restrictive reading, allowed
 * only where every class is, would be the safe one.)
 *
 * Fix: src/enforce/telemetry-items.ts appendItems, `'unknown' in packet` branch: feature
 * 'media-metrics' for pt 195 (IJ); for other unknown types do not borrow APP's permission.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const POLICY = { apts: { ...C.POLICY.apts, 'apt-raw': { type: 'user', export: 'raw', retention: '1h', features: ['app'] } } };
/** RFC 5450 §3: V=2, RC=1, PT=195, length 1; one 32-bit inter-arrival jitter value. */
const IJ = (jitter: number): Uint8Array => Uint8Array.from([0x81, 195, 0, 1, jitter >>> 24, (jitter >>> 16) & 255, (jitter >>> 8) & 255, jitter & 255]);

describe('IJ (RFC 5450) is report-block telemetry, not APP', () => {
  it('is classed media-metrics and not let out where only app is allowed', async () => {
    const p = C.callWithMedia();
    p.push(C.fromA(1, C.compound(C.RR(1111, [{ ssrc: 2222 }]), IJ(20))));
    const r = await C.replay(ws, p, POLICY);
    expect(r.decisions.map((d) => [d.pt, d.feature, d.decision, d.reason])).toEqual([
      [201, 'media-metrics', 'drop', 'feature-not-allowed'],
      [195, 'media-metrics', 'drop', 'feature-not-allowed'],
    ]);
    expect(r.exports).toEqual([]);
  });
});
