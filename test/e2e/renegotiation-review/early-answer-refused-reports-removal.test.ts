/**
 * Found by a review of renegotiation and its reports (SPEC §5, §6), fixed since (see Fix).
 *
 * Input: a call whose m-section is under a=aipref:mid apt-none with a=aipref:session apt-raw. A
 * re-INVITE (frame 5) removes the mid line (a relaxation: the session-level apt-raw remains); B
 * answers it early in a 183 with SDP (frame 7), then refuses the re-INVITE: 488 with
 * `Warning: 399 aipref` (frame 9). SRs at 4, 6, 8, 10.
 *
 * Was: decisions right (drop export-none throughout), but reports.ndjson says
 * {"type":"scope-removed","frame":7,"mid":"a","apt":["apt-none"],"fallback":["apt-raw"],
 * "detail":"attribute-removed; falls back to section-level apt-raw"} and then, at 9,
 * "offer refused: 488 with Warning 399 aipref; its changes are discarded". The scope was never
 * removed: the 183's answer is not in force before the 2xx (README), and the re-INVITE failed.
 *
 * Correct: SPEC §5: a 488 with Warning 399 aipref means "the offer's changes are discarded": a
 * refused renegotiation removes nothing and reports no scope-removed (as test/e2e/
 * renegotiation.test.ts expects of every refused renegotiation: `removed` is []). The removal is
 * to be reported when it takes effect — at the 2xx that confirms the early answer — or never.
 *
 * Fix: src/pipeline/signaling-front.ts onEvent 'answer': when the answer awaits the INVITE's
 * final response (ev.early / ev.awaitsFinal with a completed exchange before it), keep the diff
 * (ev.inForce → ev.effective) instead of reporting it, and report it at 'answer-confirmed'
 * (dropped at 'offer-rejected').
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { decided, req, res, run } from '../dialog-lifecycle/lifecycle-helpers.js';
import { leg, POL, REFUSED, sameWithWorkers, sdpA, sdpB, setUp, srA } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('a re-INVITE answered in a 183 and then refused reports no scope-removed', async () => {
  const session = ['a=aipref:session apt-raw'];
  const o = await run(ws, [
    ...setUp(['a=aipref:mid apt-none'], session),
    srA(), // 4
    req(leg, 'INVITE', 2, 't1', sdpA([], session)), // 5: removes the mid line
    srA(), // 6
    res(leg, '183 Session Progress', 2, 'INVITE', 't1', sdpB()), // 7: early answer
    srA(), // 8
    res(leg, '488 Not Acceptable Here', 2, 'INVITE', 't1', null, { headers: REFUSED }), // 9: refused
    req(leg, 'ACK', 2, 't1'),
    srA(), // 11
  ], POL);
  sameWithWorkers(o);
  expect(decided(o).map((l) => l.split(' [')[0])).toEqual(['4 drop export-none', '6 drop export-none', '8 drop export-none', '11 drop export-none']);
  expect(o.reports.map((r) => [r.frame, r.type])).toEqual([[9, 'scope-transitioned']]);
});
