/**
 * Found by a review of bd13355 (token expiry by the capture clock), fixed since: a token an answer commits is judged at the capture clock the engine passes, not the answer's own stamp (src/pipeline/signaling-front.ts SignalingFront.message, settle).
 * Input: a call A→B whose INVITE (0.1 s) signs apt-x with a token expiring at T0+10
 *   (`AI-Pref: apt-x;integrity=jws;token=…`, policy trusting key k1); A's SR (SSRC 1111) at 5 s
 *   and 11 s; at 12 s a re-INVITE refreshing the token (exp T0+100); its 200 OK is one record
 *   stamped 3 hours ahead (a lone outlier: the next records are back at 13 s and 14 s); A's SR at
 *   13 s and 14 s. Replayed by the CLI with --workers 0, 1, 2 (identical).
 * Was (observed): the SRs at 13 s and 14 s (frames 7, 8) `drop export-none`: the fresh token never
 *   lifts the expiry. The same capture with the 200 OK at 12.1 s exports them (`raw-allowed`).
 * Correct: exported, as with the answer in order. bd13355 judges a token's exp by the capture
 *   clock, which a lone record stamped hours ahead does not move (README: "one record stamped
 *   hours ahead, unconfirmed by the next, does not move that clock"); the clock at the answer is
 *   12 s, where the refreshed token (exp 100 s) is valid — README: a token a re-INVITE brings
 *   "counts from the answer that accepts its offer". Only the answer's own stamp (3 h, past exp)
 *   makes it count as already expired.
 * Fix: src/pipeline/signaling-front.ts SignalingFront.message: `this.now` (what settle's
 *   tokenInForce judges the committed token at) is still `ctx.ts`; set it from `clock` (the
 *   capture clock bd13355 passes in), as expireDue already is.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type At, request, response, sdpOf } from '../hand-built-calls.js';
import { aiPref, jwk, keys, rtcpAt } from '../token-expiry-review/helpers.js';
import { decisionsOf, Scratch } from './lib.js';

const s = new Scratch();
beforeAll(keys);
afterAll(() => s.cleanup());
const HOURS = 3 * 3600;

const capture = (h1: string, h2: string, answerAt: number) => (at: At) => {
  at(0.1, request('INVITE', 1, sdpOf('a', []), [h1], ''), true); // 1
  at(0.2, response('200 OK', 1, sdpOf('b', [])), false); // 2
  rtcpAt(at, 5); // 3
  rtcpAt(at, 11); // 4: the first token expired
  at(12, request('INVITE', 2, sdpOf('a', []), [h2]), true); // 5: the refresh
  at(answerAt, response('200 OK', 2, sdpOf('b', [])), false); // 6: its answer
  rtcpAt(at, 13); // 7
  rtcpAt(at, 14); // 8
};

it('a refresh whose answer alone is stamped hours ahead lifts the expiry as the in-order answer does', async () => {
  const h1 = await aiPref({ exp: 10 });
  const h2 = await aiPref({ exp: 100 });
  const policy = { apts: {}, keys: { k1: jwk } };
  const inOrder = await s.replay('in-order', capture(h1, h2, 12.1), policy);
  expect(decisionsOf(inOrder, 1111)).toEqual(['3 export raw-allowed', '4 drop export-none', '7 export raw-allowed', '8 export raw-allowed']);
  const ahead = await s.replay('answer-ahead', capture(h1, h2, HOURS), policy);
  expect(decisionsOf(ahead, 1111)).toEqual(decisionsOf(inOrder, 1111));
});
