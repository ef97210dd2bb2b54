/**
 * Found by a review of aggregate windows, fixed since: an SDES PRIV tag that changes what
 * decides a stream closes its windows at that compound, as a scope change does (media-core
 * learnFromSdes → closeChangedWindows).
 *
 * An SDES PRIV `aipref` tag that adds an identifier to a stream mid-window does not close the
 * stream's open window: the old window runs on to its full length, overlapping the new one.
 *
 * Input: hand-built two-party call (test/e2e/hand-built-calls.ts), `a=aipref:session px`; policy
 * px and py both {type user, export aggregated-only, retention 1h}; window 10 s (T = 1767225600).
 * RTCP from A (SSRC 1111, 4001 → 5001): T+1 [SR]; T+3 [SR, SDES (CNAME, PRIV aipref "py")];
 * T+5 [SR]; from B (SSRC 2222) T+30 [SR] (moves the clock past every window). The tag makes the
 * stream's items be decided by [px, py] from T+3 on (a binding-conflict is reported at T+3).
 * Workers 0 and 2 agree.
 *
 * Was (window − T, items, apt) for SSRC 1111:
 *   {start 1, end 11, items 1, apt [px]}, {start 3, end 13, items 3, apt [px, py]}
 * i.e. the [px] window claims to span T+1..T+11 although from T+3 no item of the stream is
 * decided by [px] alone, and it is held 8 s past the change. A re-INVITE making the same change
 * closes the window at the change (window {1, 3}, reason scope-change): the two routes to one
 * change give different windows.
 * Correct: README "Aggregation windows … close … where a scope change changes what decides the
 *   stream's items (its identifiers, what they resolve to, its m-section …)"; SPEC §5 "Telemetry
 *   before the change is judged by the old scope, after it by the new one, exactly at the packet
 *   where the change was seen" and §2 (a media-plane tag is one more identifier of the stream).
 *   The [px] window must close at T+3: {start T+1, end T+3, items 1}, then {T+3, T+13, items 3}.
 * Fix: src/pipeline/media-core.ts learnFromSdes (PRIV and MID branches, and sdesLimit): when a
 *   stream's identifiers or mid change, close its open windows (and those of windows whose
 *   APTs include the changed stream's) as the SIP path does — e.g. take decidingStates(session)
 *   before and call closeChangedWindows(session, before, frame, ts) after the compound's SDES is
 *   learnt, before its items are judged.
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { AGG, privOf, rtcpAt, run, setup, srOf, T0 } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('an SDES aipref tag closes the window its stream had open at the tag', async () => {
  const o = await run(
    ws,
    (at) => {
      setup(at, ['a=aipref:session px']);
      rtcpAt(at, 1, true, [srOf(1111)]);
      rtcpAt(at, 3, true, [srOf(1111), privOf(1111, 'py')]);
      rtcpAt(at, 5, true, [srOf(1111)]);
      rtcpAt(at, 30, false, [srOf(2222)]);
    },
    { apts: { px: AGG(), py: AGG() } },
  );
  expect(o.reports.map((r) => [r.type, (r.ts as number) - T0])).toEqual([['binding-conflict', 3]]);
  expect(o.aggs.filter((a) => a.ssrc === 1111).map((a) => ({ start: (a.window as { start: number }).start - T0, end: (a.window as { end: number }).end - T0, items: a.items, apt: [...a.apt].sort() }))).toEqual([
    { start: 1, end: 3, items: 1, apt: ['px'] },
    { start: 3, end: 13, items: 3, apt: ['px', 'py'] },
  ]);
});
