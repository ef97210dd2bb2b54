/**
 * Found by a review of SIP dialog shapes (RFC 3264 §8, RFC 3311 UPDATE, RFC 4028 session refresh) and the enforcer's decisions under them;
 * fixed since: a proposal keeps the answerer's own a=aipref lines (not those echoing the
 * offerer's previous SDP) until its answer (src/signaling/negotiated-scope.ts buildNegotiatedScope).
 *
 * Input: a call A→B; A's SDP puts its m-section under `a=aipref:mid apt-agg` (aggregated-only, 1h),
 * B's SDP names no identifier. SR of A's stream (SSRC 111) at 0.4 s (frame 4). Then a session
 * refresh that changes nothing, in which B makes the offer:
 *   1. B's UPDATE (frame 5) repeating B's SDP byte for byte; SR (6); A's 200 (7) repeating A's SDP
 *      (apt-agg); SR (8).
 *   2. a late-offer refresh: A's re-INVITE without SDP (5); B's 200 (6) offers B's SDP unchanged;
 *      SR (7); A's ACK (8) answers with A's SDP unchanged (apt-agg); SR (9).
 *   (Either side may be the refresher, RFC 4028 §7/§9; a re-INVITE without SDP is the other
 *   common refresh form.)
 *
 * Was (workers 0 and 2 alike): 1. "4 aggregate aggregated-only [apt-agg]",
 * "6 drop no-preference []", "8 aggregate aggregated-only [apt-agg]" and two aggregates of SSRC
 * 111: window {start 0.4, end 0.5} and {start 0.8, end 0.8}; 2. "7 drop no-preference []" and
 * windows {0.4–0.6}, {0.9–0.9}. While B's offer awaits its answer, A's a=aipref lines are left
 * out of the proposal (negotiated-scope.ts: "the answerer … its a=aipref lines are not carried
 * over"), so the stream is taken to have no preference at all: its items are dropped as
 * "no-preference" and its window is cut at the offer.
 *
 * Correct: an offer speaks for its offerer only; A's session description — and its apt-agg —
 * stands until A's answer says otherwise (RFC 3264 §8), and nothing here changes it. SPEC §5: a
 * repeated identical description changes nothing (seed §3 idempotency); README: "A renegotiation
 * that changes nothing for a stream (a session refresh repeating its SDP …) leaves its windows
 * running"; SPEC §4: every decision is explained by the APTs that applied — "no-preference" is
 * false, apt-agg applied. So the SR in the middle is "aggregate aggregated-only [apt-agg]" and
 * the three SRs make one aggregate (window start 0.4, 3 items).
 *
 * Fix: src/signaling/negotiated-scope.ts buildNegotiatedScope (awaitingAnswerFrom): keep the
 * answerer's a=aipref lines of its previous SDP in the proposal (they are what stands until the
 * answer; an answer dropping one is a relaxation and waits for the answer anyway, or a
 * restriction the answer itself brings) — or in offer-answer.ts proposedBy()/restricting(), take
 * the answerer's in-force identifiers into the proposal used for "restrictions from the offer".
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { decided, req, res, run, T0 } from '../dialog-lifecycle/lifecycle-helpers.js';
import { leg, POL, sdpA, sdpB, setUp, srA } from '../renegotiation-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const aggregates = (o: Awaited<ReturnType<typeof run>>) =>
  o.exports.filter((e) => e.type === 'aggregate').map((e) => {
    const a = e as unknown as { stream: { ssrc: number }; apt: string[]; window: { start: number }; stats: { items: number } };
    return { ssrc: a.stream.ssrc, apt: a.apt, start: Math.round((a.window.start - T0) * 10) / 10, items: a.stats.items };
  });

describe('a session refresh offered by the side whose SDP names no identifier', () => {
  it("B's UPDATE repeating its SDP, A's 200 repeating A's: nothing changes", async () => {
    const o = await run(ws, [
      ...setUp(['a=aipref:mid apt-agg']), // 1-3
      srA(), // 4
      req(leg, 'UPDATE', 1, 't1', sdpB(), { byCallee: true }), // 5
      srA(), // 6
      res(leg, '200 OK', 1, 'UPDATE', 't1', sdpA(['a=aipref:mid apt-agg']), { byCallee: true }), // 7
      srA(), // 8
    ], POL);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['4 aggregate aggregated-only [apt-agg]', '6 aggregate aggregated-only [apt-agg]', '8 aggregate aggregated-only [apt-agg]']);
    expect(aggregates(o)).toEqual([{ ssrc: 111, apt: ['apt-agg'], start: 0.4, items: 3 }]);
  });

  it("A's re-INVITE without SDP, B's 200 offering its unchanged SDP, A's ACK answering unchanged: nothing changes", async () => {
    const o = await run(ws, [
      ...setUp(['a=aipref:mid apt-agg']), // 1-3
      srA(), // 4
      req(leg, 'INVITE', 2, 't1', null), // 5
      res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), // 6
      srA(), // 7
      req(leg, 'ACK', 2, 't1', sdpA(['a=aipref:mid apt-agg'])), // 8
      srA(), // 9
    ], POL);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['4 aggregate aggregated-only [apt-agg]', '7 aggregate aggregated-only [apt-agg]', '9 aggregate aggregated-only [apt-agg]']);
    expect(aggregates(o)).toEqual([{ ssrc: 111, apt: ['apt-agg'], start: 0.4, items: 3 }]);
  });
});
