/**
 * Found by a review of SIP dialog shapes (RFC 3261 ACK, RFC 3262 PRACK) and the AI-Pref they carry.
 *
 * Input: a call A→B whose m-section (mid a) carries `a=aipref:mid apt-raw` (export raw) and whose
 * INVITE carries `AI-Pref: apt-none;scope=media` (export none): the stream is dropped. Then the
 * caller echoes the identifier it stated, as seed 000 §5.1.1 asks ("ACK and PRACK: These messages
 * MUST echo the latest accepted AI-Pref identifiers … Absence of AI-Pref in ACK implies acceptance
 * of the most recent set"): `AI-Pref: apt-none` (the identifier, without its scope parameter).
 *   1. re-INVITE (frame 5) adding `AI-Pref: apt-none;scope=media`, 200 (6), SR (7), its ACK
 *      echoing `AI-Pref: apt-none` (8), SR (9).
 *   2. initial INVITE with it (1), 200 (2), SR (3), ACK echoing (4), SR (5).
 *   3. initial INVITE with it, reliable 183 (2), SR (3), PRACK echoing (4), SR (5), 200 PRACK,
 *      200 INVITE, ACK, SR (9).
 *
 * Was (workers 0 and 2 alike): 1. "7 drop export-none [apt-none]", "9 export raw-allowed
 * [apt-raw]" with, at frame 8, {"type":"scope-removed","frame":8,"mid":"a","apt":["apt-none"],
 * "fallback":["apt-raw"],"detail":"header-value-dropped; falls back to section-level apt-raw"}
 * and {"type":"scope-transitioned","frame":8,"apt":["apt-none"],"detail":"header-dialog scope
 * added"}. 2. "3 drop export-none [apt-none]", "5 export raw-allowed [apt-raw]" (the same two
 * reports at frame 4). 3. "3 drop …", "5 export raw-allowed [apt-raw]", "9 export raw-allowed
 * [apt-raw]" (the same reports at frame 4). The echo replaces the caller's values: apt-none
 * (no scope → dialog-level) no longer governs the m-section, whose own a=aipref apt-raw wins.
 *
 * Correct: the echo names an identifier already in force for the m-section; it accepts, it does
 * not re-scope. SPEC §5: relaxations take effect only once an answer confirms them — an ACK to a
 * re-INVITE's 2xx (or a PRACK without SDP) is no answer, and a "scope-removed" belongs to an
 * offer/answer that removes a value; README (How decisions are made, Renegotiation): what such a
 * message says "of an identifier already stated restricts from that message on but never
 * relaxes". Seed §5.1.1: the echo implies acceptance of the most recent set. So every SR above
 * stays "drop export-none [apt-none]" and nothing is reported at the ACK/PRACK.
 *
 * Fix: src/signaling/offer-answer.ts OfferAnswerState.statement() (called from dialogs.ts
 * statement() for ACK/PRACK): values naming identifiers the party already states are not a new
 * set replacing the old — keep the held value's scope (merge: an identifier already stated keeps
 * the scopes it had, a new identifier is added), at least for ACK and PRACK, and for any message
 * where SPEC §5 allows no relaxation (midCall); only an offer/answer drops a value.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { decided, req, res, run } from '../dialog-lifecycle/lifecycle-helpers.js';
import { leg, POL, sdpA, sdpB, setUp, srA } from '../renegotiation-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const MEDIA_NONE = ['AI-Pref: apt-none;scope=media'];
const ECHO = ['AI-Pref: apt-none'];
const reportsAt = (o: Awaited<ReturnType<typeof run>>, frame: number) => o.reports.filter((r) => r.frame === frame).map((r) => [r.type, r.apt, r.detail]);

describe('an ACK or PRACK echoing the accepted AI-Pref identifier', () => {
  it("a re-INVITE's ACK echoing apt-none relaxes nothing", async () => {
    const o = await run(ws, [
      ...setUp(['a=aipref:mid apt-raw']), // 1-3
      srA(), // 4
      req(leg, 'INVITE', 2, 't1', sdpA(['a=aipref:mid apt-raw']), { headers: MEDIA_NONE }), // 5
      res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), // 6
      srA(), // 7
      req(leg, 'ACK', 2, 't1', null, { headers: ECHO }), // 8
      srA(), // 9
    ], POL);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '7 drop export-none [apt-none]', '9 drop export-none [apt-none]']);
    expect(reportsAt(o, 8)).toEqual([]);
  });

  it("the initial INVITE's ACK echoing apt-none relaxes nothing", async () => {
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, sdpA(['a=aipref:mid apt-raw']), { headers: MEDIA_NONE }), // 1
      res(leg, '200 OK', 1, 'INVITE', 't1', sdpB()), // 2
      srA(), // 3
      req(leg, 'ACK', 1, 't1', null, { headers: ECHO }), // 4
      srA(), // 5
    ], POL);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['3 drop export-none [apt-none]', '5 drop export-none [apt-none]']);
    expect(reportsAt(o, 4)).toEqual([]);
  });

  it('a PRACK echoing apt-none after a reliable 183 relaxes nothing', async () => {
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, sdpA(['a=aipref:mid apt-raw']), { headers: [...MEDIA_NONE, 'Supported: 100rel'] }), // 1
      res(leg, '183 Session Progress', 1, 'INVITE', 't1', sdpB(), { headers: ['Require: 100rel', 'RSeq: 1'] }), // 2
      srA(), // 3
      req(leg, 'PRACK', 2, 't1', null, { headers: [...ECHO, 'RAck: 1 1 INVITE'] }), // 4
      srA(), // 5
      res(leg, '200 OK', 2, 'PRACK', 't1'), // 6
      res(leg, '200 OK', 1, 'INVITE', 't1'), // 7
      req(leg, 'ACK', 1, 't1'), // 8
      srA(), // 9
    ], POL);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['3 drop export-none [apt-none]', '5 drop export-none [apt-none]', '9 drop export-none [apt-none]']);
    expect(reportsAt(o, 4)).toEqual([]);
  });
});
