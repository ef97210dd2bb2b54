/**
 * Found by a review of renegotiation and its reports (SPEC §5, §6), fixed since (see Fix).
 *
 * Input: a call A→B (A's m-section under a=aipref:mid apt-raw). A sends a session-refresh
 * re-INVITE (CSeq 2, frame 5); B's own re-INVITE crosses it (B's CSeq space is its own: also 2,
 * frame 6) and restricts the m-section with a=aipref:mid apt-none. B refuses A's with 491 (frame
 * 8); A accepts B's with a 200 carrying its answer (frame 10), B ACKs (11). SRs of A's stream at
 * frames 4, 7, 9, 12. The same with UPDATE instead of re-INVITE (RFC 3311 glare).
 *
 * Was: "4 export raw-allowed [apt-raw]", "7 drop export-none [apt-none]",
 * "9 export raw-allowed [apt-raw]", "12 export raw-allowed [apt-raw]"; reports: only the
 * superseded report at 6 and "offer refused: 491 (rejected)" at 8 — no report at frame 10.
 * The 491 to A's request discarded B's pending offer (same method, same CSeq number), and A's
 * 200 answering B's offer was then not taken as an answer at all: B's accepted apt-none never
 * applies, its telemetry is exported raw (UPDATE: frames 9 and 11 raw likewise).
 *
 * Correct: the 491 answers A's request, not B's: B's offer still awaits its answer, its
 * restriction applies from frame 6 on (SPEC §5: restrictions take effect from the offer), and
 * A's 200 accepts it: frame 9 and 12 drop export-none; frame 10 reports the mid scope added
 * (apt-none). RFC 3261 §12.2.1.1/§8.2.2.3: CSeq numbers are per direction — a response matches
 * a request by CSeq *and* by direction (its From tag), so it must come from the offer's answerer.
 *
 * Fix: src/signaling/offer-answer.ts OfferAnswerState.reject(method, cseq) matches the pending
 * offer (and the outstanding INVITE) by method and CSeq only. Pass the responder's party from
 * dialogs.ts rejectPending (onResponse computes `party`) and require `p.offerer !== party`
 * (and `v.offerer !== party` for the outstanding INVITE), as answers() already does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { decided, req, res, run } from '../dialog-lifecycle/lifecycle-helpers.js';
import { leg, POL, sameWithWorkers, sdpA, sdpB, setUp, srA } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('crossing offers with the same CSeq number in both directions (glare)', () => {
  it('re-INVITEs: the 491 to A\'s does not discard B\'s restricting offer; A\'s 200 accepts it', async () => {
    const o = await run(ws, [
      ...setUp(['a=aipref:mid apt-raw']),
      srA(), // 4
      req(leg, 'INVITE', 2, 't1', sdpA(['a=aipref:mid apt-raw'])), // 5: A's session refresh
      req(leg, 'INVITE', 2, 't1', sdpB(['a=aipref:mid apt-none']), { byCallee: true }), // 6: B's crosses it
      srA(), // 7
      res(leg, '491 Request Pending', 2, 'INVITE', 't1'), // 8: B refuses A's
      srA(), // 9
      res(leg, '200 OK', 2, 'INVITE', 't1', sdpA(['a=aipref:mid apt-raw']), { byCallee: true }), // 10: A accepts B's
      req(leg, 'ACK', 2, 't1', null, { byCallee: true }), // 11
      srA(), // 12
    ]);
    sameWithWorkers(o);
    expect(o.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason}`)).toEqual(['4 export raw-allowed', '7 drop export-none', '9 drop export-none', '12 drop export-none']);
    expect(o.decisions.find((d) => d.frame === 12)?.apt).toContain('apt-none');
    expect(o.reports.filter((r) => r.frame === 10).map((r) => [r.type, r.mid, r.apt, r.detail])).toEqual([['scope-transitioned', 'a', ['apt-none'], 'mid scope added']]);
  });

  it("UPDATEs: the 491 to A's does not discard B's restricting offer; A's 200 accepts it", async () => {
    const o = await run(ws, [
      ...setUp(['a=aipref:mid apt-raw']),
      srA(), // 4
      req(leg, 'UPDATE', 2, 't1', sdpA(['a=aipref:mid apt-raw'])), // 5
      req(leg, 'UPDATE', 2, 't1', sdpB(['a=aipref:mid apt-none']), { byCallee: true }), // 6
      srA(), // 7
      res(leg, '491 Request Pending', 2, 'UPDATE', 't1'), // 8
      srA(), // 9
      res(leg, '200 OK', 2, 'UPDATE', 't1', sdpA(['a=aipref:mid apt-raw']), { byCallee: true }), // 10
      srA(), // 11
    ]);
    sameWithWorkers(o);
    expect(decided(o).map((l) => l.split(' [')[0])).toEqual(['4 export raw-allowed', '7 drop export-none', '9 drop export-none', '11 drop export-none']);
  });
});
