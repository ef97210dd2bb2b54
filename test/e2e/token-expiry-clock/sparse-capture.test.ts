/**
 * Found while fixing a review of 49a1859 (stop 38), fixed since: the capture clock stood still
 * for good in a capture whose records come more than CLOCK_JUMP_SEC (15 min) apart — each record a
 * jump no neighbour confirmed — so a token there never expired (since bd13355 judged by that
 * clock) and windows closed only at the capture's end; a jump is now also confirmed by a record
 * further on the same way (src/pipeline/replay-engine.ts CaptureClock.through).
 * Input: a call signing apt-x with a token whose exp is 1 h after the INVITE; then A's SR every
 * 20 min for 2 h (no other record).
 * Was: every SR exported raw, no `expired` report: the clock never left the 200 OK's time.
 * Correct: the SRs before exp exported; the token expires at the first record whose clock
 * reached exp — the clock moves on at every second record of such a capture (the one after a
 * jump confirms it), here the SR at 80 min — and the SRs from there on dropped. Identical for
 * workers 0/2 and batch sizes 1–7 (replayAll).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { decided, request, response, sdpOf } from '../hand-built-calls.js';
import { aiPref, integrity, keys, replayAll, rtcpAt } from '../token-expiry-review/helpers.js';

const ws = new Workspace();
beforeAll(keys);
afterAll(() => ws.cleanup());

it('a capture whose records come 20 min apart: the token expires (a record later than exp, as the clock confirms it)', async () => {
  const h = await aiPref({ exp: 3600 });
  const run = await replayAll(ws, 'sparse', (at) => {
    at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
    at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
    for (let t = 1200; t <= 7200; t += 1200) rtcpAt(at, t); // frames 3–8: 20, 40, 60, 80, 100, 120 min
  });
  // the clock: 0.2 until the SR at 40 min confirms the 20-min step (moves to 40 min), stays at
  // the SR at 60 min (a step no record before it made), moves at 80 min; so exp (60 min) is
  // reached at the SR at 80 min
  expect(decided(run).filter((d) => Number(d.split(' ')[0]) >= 3)).toEqual(['3 export raw-allowed', '4 export raw-allowed', '5 export raw-allowed', '6 drop export-none', '7 drop export-none', '8 drop export-none']);
  expect(integrity(run).filter((r) => r.ssrc === undefined).map((r) => r.frame)).toEqual([6]);
});
