/**
 * Found by a review of renegotiation and its reports (SPEC §5, §6), fixed since (see Fix).
 *
 * Input: an initial INVITE with `AI-Pref: apt-raw;scope=dialog` (apt-raw export=raw in the
 * policy file) and an SDP with no a=aipref; a 183 with B's answer (reliable, for the PRACK case)
 * makes an early dialog; then an exchange built on that answer that changes nothing — a PRACK
 * (or an UPDATE) offering the very same SDP, answered by its 200 with the same SDP — and at last
 * the INVITE's 200 and ACK. SRs of A's stream after the 183 (3), after the PRACK/UPDATE offer
 * (5), after its 200 (7) and after the INVITE's 200 (10).
 *
 * Was: "3 export raw-allowed [apt-raw]", "5 export raw-allowed [apt-raw]",
 * "7 drop no-preference []", "10 export raw-allowed [apt-raw]"; with the operator default
 * apt-def (aggregated-only): "7 aggregate aggregated-only [apt-raw,apt-def]" and an aggregate
 * export of its own. Once the PRACK's/UPDATE's exchange completes, the initial INVITE's own
 * AI-Pref values are taken out of what is in force until its 2xx — as if the INVITE were a
 * re-INVITE whose values await its final response (its "values before" are null).
 *
 * Correct: an exchange that repeats the SDP changes nothing (SPEC §5 and seed §3 idempotency;
 * README: "A renegotiation that changes nothing for a stream … leaves its windows running");
 * the INVITE's dialog-level apt-raw (stated by the policy file too) governs the stream at 7 as
 * at 3 and 5: "7 export raw-allowed [apt-raw]", and no aggregate.
 *
 * Fix: src/signaling/offer-answer.ts OfferAnswerState.inForce(): the branch for an outstanding
 * INVITE whose early answer an exchange built upon ("u === null && v !== null && …") strips the
 * INVITE's values (withoutValuesOf) even for the initial INVITE, where nothing stood before.
 * Record in OutstandingInvite whether an exchange had completed before the INVITE (answer():
 * `unconfirmed.before.lastExchange !== null`) and withhold only then, as the first branch does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { decided, req, res, run } from '../dialog-lifecycle/lifecycle-helpers.js';
import { leg, POL, sameWithWorkers, sdpA, sdpB, srA } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const RAW_DIALOG = 'AI-Pref: apt-raw;scope=dialog';

describe("an exchange built on an initial INVITE's early answer, repeating the SDP, changes nothing", () => {
  it('PRACK offer/answer after a reliable 183', async () => {
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, sdpA([]), { headers: [RAW_DIALOG, 'Supported: 100rel'] }), // 1
      res(leg, '183 Session Progress', 1, 'INVITE', 't1', sdpB(), { headers: ['Require: 100rel', 'RSeq: 1'] }), // 2
      srA(), // 3
      req(leg, 'PRACK', 2, 't1', sdpA([]), { headers: ['RAck: 1 1 INVITE'] }), // 4: the same SDP offered again
      srA(), // 5
      res(leg, '200 OK', 2, 'PRACK', 't1', sdpB()), // 6: the same answer
      srA(), // 7
      res(leg, '200 OK', 1, 'INVITE', 't1', sdpB()), // 8
      req(leg, 'ACK', 1, 't1'), // 9
      srA(), // 10
    ], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['3 export raw-allowed [apt-raw]', '5 export raw-allowed [apt-raw]', '7 export raw-allowed [apt-raw]', '10 export raw-allowed [apt-raw]']);
  });

  it('UPDATE offer/answer in the early dialog', async () => {
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, sdpA([]), { headers: [RAW_DIALOG] }), // 1
      res(leg, '183 Session Progress', 1, 'INVITE', 't1', sdpB()), // 2
      srA(), // 3
      req(leg, 'UPDATE', 2, 't1', sdpA([])), // 4
      srA(), // 5
      res(leg, '200 OK', 2, 'UPDATE', 't1', sdpB()), // 6
      srA(), // 7
      res(leg, '200 OK', 1, 'INVITE', 't1', sdpB()), // 8
      req(leg, 'ACK', 1, 't1'), // 9
      srA(), // 10
    ], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['3 export raw-allowed [apt-raw]', '5 export raw-allowed [apt-raw]', '7 export raw-allowed [apt-raw]', '10 export raw-allowed [apt-raw]']);
  });

  it("UPDATE in the early dialog with an operator default: no spurious aggregate of [apt-raw, apt-def]", async () => {
    const policy = policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, 'apt-def': { type: 'domain', export: 'aggregated-only', retention: '1h' } }, default: 'apt-def' });
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, sdpA([]), { headers: [RAW_DIALOG] }),
      res(leg, '183 Session Progress', 1, 'INVITE', 't1', sdpB()),
      srA(),
      req(leg, 'UPDATE', 2, 't1', sdpA([])),
      srA(),
      res(leg, '200 OK', 2, 'UPDATE', 't1', sdpB()),
      srA(), // 7
      res(leg, '200 OK', 1, 'INVITE', 't1', sdpB()),
      req(leg, 'ACK', 1, 't1'),
      srA(),
    ], policy);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['3 export raw-allowed [apt-raw]', '5 export raw-allowed [apt-raw]', '7 export raw-allowed [apt-raw]', '10 export raw-allowed [apt-raw]']);
    expect(o.exports.filter((e) => e.type === 'aggregate')).toEqual([]);
  });
});
