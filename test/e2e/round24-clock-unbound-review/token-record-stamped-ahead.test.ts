/**
 * Found by a review of bd13355 (token expiry by the capture clock), fixed since: a token is verified (exp, nbf/iat) at its message's capture clock, not the record's own stamp, and counts in force from it (src/pipeline/signaling-front.ts SignalingFront.message, verify).
 * Input: call A→B (Call-ID review-lifecycle@10.0.0.1) signs apt-x with a token valid till T0+100
 *   (INVITE at 0.1 s, 200 OK at 0.2 s); A's SR (SSRC 1111) at 5 s. Then one SIP record stamped 3
 *   hours ahead, a lone outlier (the next records are back at 7 s and 8 s), carrying another
 *   token of apt-x (exp T0+200, validly signed): (a) the INVITE of another call, (b) a re-INVITE
 *   of the same call (its 200 OK at 6 s). A's SR at 7 s and 8 s. Replayed by the CLI with
 *   --workers 0, 1, 2 (identical).
 * Was (observed): the token in the outlier is verified at the record's own stamp: `integrity-failure`
 *   `expired: token has expired` at that frame (ts T0+10800) for every call naming apt-x, and
 *   A's SRs at 7 s and 8 s `drop export-none` (a: another call's one mis-stamped INVITE turns
 *   this call's telemetry off).
 * Correct: exported (`raw-allowed`), no integrity failure: bd13355's point is that "one RTP, RTCP
 *   or SIP record stamped hours ahead (unconfirmed by the next) no longer expires every signed
 *   statement" — README: exp is judged by "the capture clock (the one windows close by) … (one
 *   record stamped hours ahead, unconfirmed by the next, does not move that clock)". At the
 *   capture clock (5 s) both tokens are valid. A token arriving in such a record is expired only
 *   by the record's own stamp, the very time the clock refuses.
 * Fix: src/pipeline/signaling-front.ts: SignalingFront.message passes `ctx.ts` on to the events'
 *   deliverParts → verify (verifyAptToken atSec) and to `this.now`; judge a token's exp at
 *   arrival by `clock` (the capture clock the engine hands in) too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type At, message, request, response, sdpOf } from '../hand-built-calls.js';
import { aiPref, jwk, keys, rtcpAt } from '../token-expiry-review/helpers.js';
import { decisionsOf, Scratch } from './lib.js';

const s = new Scratch();
beforeAll(keys);
afterAll(() => s.cleanup());
const HOURS = 3 * 3600;
const policy = () => ({ apts: {}, keys: { k1: jwk } });
const integrity = (run: Awaited<ReturnType<Scratch['replay']>>) => run.reports.filter((r) => r.type === 'integrity-failure');

it("(a) another call's INVITE stamped hours ahead with a token of the same identifier: this call's telemetry still exported", async () => {
  const h1 = await aiPref({ exp: 100 });
  const h2 = await aiPref({ exp: 200 });
  const run = await s.replay('other-call', (at: At) => {
    at(0.1, request('INVITE', 1, sdpOf('a', []), [h1], ''), true); // 1
    at(0.2, response('200 OK', 1, sdpOf('b', [])), false); // 2
    rtcpAt(at, 5); // 3
    at(HOURS, message('other@10.0.0.1', 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, sdpOf('a', [], 6000).replace('a=ssrc:1111', 'a=ssrc:6000'), [h2], ''), true); // 4
    rtcpAt(at, 7); // 5
    rtcpAt(at, 8); // 6
  }, policy());
  expect(integrity(run)).toEqual([]);
  expect(decisionsOf(run, 1111)).toEqual(['3 export raw-allowed', '5 export raw-allowed', '6 export raw-allowed']);
});

it('(b) a re-INVITE stamped hours ahead refreshing the token: telemetry still exported', async () => {
  const h1 = await aiPref({ exp: 100 });
  const h2 = await aiPref({ exp: 200 });
  const run = await s.replay('same-call', (at: At) => {
    at(0.1, request('INVITE', 1, sdpOf('a', []), [h1], ''), true); // 1
    at(0.2, response('200 OK', 1, sdpOf('b', [])), false); // 2
    rtcpAt(at, 5); // 3
    at(HOURS, request('INVITE', 2, sdpOf('a', []), [h2]), true); // 4
    at(6, response('200 OK', 2, sdpOf('b', [])), false); // 5
    rtcpAt(at, 7); // 6
    rtcpAt(at, 8); // 7
  }, policy());
  expect(integrity(run)).toEqual([]);
  expect(decisionsOf(run, 1111)).toEqual(['3 export raw-allowed', '6 export raw-allowed', '7 export raw-allowed']);
});
