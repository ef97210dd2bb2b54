/**
 * Found by a review of SIP dialog shapes (RFC 3261 §13.2.2.4, §16.7 forking) and what the enforcer decides for their media;
 * fixed since: a failed INVITE is kept as it stood for its transaction's 32 s, and a 2xx for it
 * makes the dialog (src/signaling/dialogs.ts failedInvites).
 *
 * Input: a capture on a forking proxy (it sees every branch's responses). One INVITE from A
 * (10.0.0.1:4000, SDP without a=aipref) rings two phones in parallel: 180 from B (to-tag tb) and
 * from C (to-tag tc). Then C's branch fails first — (1) C is busy: 486 with To-tag tc (frame 4),
 * or (2) the caller CANCELs (frame 4) and C's branch answers 487 (frame 5) while B's 200 crosses
 * the CANCEL — and B's 200 OK with its answer (10.0.0.2:5000, `a=aipref:mid apt-none`, export
 * none) follows, then the ACK. B's SR (10.0.0.2:5001 → 10.0.0.1:4001, SSRC 222) and A's SR
 * (SSRC 111) during the call. The policy names an operator default APT apt-def (domain, raw).
 *
 * Was (workers 0 and 2 alike), case 1: "7 export raw-allowed [apt-def]",
 * "8 export raw-allowed [apt-def]" (case 2: frames 8 and 9 the same), `unbound-stream` reports for
 * SSRC 222 and 111, and `{"type":"scope-transitioned","frame":4,"dialog":{…"toTag":""},"detail":
 * "offer refused: 486 (rejected); its changes are discarded"}`. C's failure is taken for the
 * INVITE's: DialogTracker.initialInviteFailed ends every early fork (tb too, remembered as ended)
 * and drops the INVITE; B's 200 then finds no INVITE and a to-tag remembered as ended, and is
 * ignored — the answered call is never tracked, its media is unbound, and B's export=none is
 * replaced by the operator's default (without a default: "drop no-preference []").
 *
 * Correct: a proxy forwards a 2xx whatever its other branches answered (RFC 3261 §16.7 step 10;
 * §13.2.2.4: each 2xx makes a dialog) — a 2xx for the INVITE after a failure on another to-tag
 * means the INVITE succeeded there. The dialog tb is confirmed with A's offer and B's answer, and
 * governs its media: SPEC §2 (a=aipref:mid apt-none binds the m-section), §3: "7 drop export-none
 * [apt-none]", "8 drop export-none [apt-none]" (case 2: 8 and 9), no export at all.
 *
 * Fix: src/signaling/dialogs.ts onResponse / initialInviteFailed: a non-2xx final response whose
 * To-tag names one early fork while other forks are still early should end that fork only, or —
 * since a capture on the caller's side sees the same bytes for the INVITE's real failure — keep
 * the INVITE entry (its offer) for the rest of the INVITE transaction (64*T1 = 32 s) so that a
 * later 2xx for the same CSeq forks a confirmed dialog from it (fork(), not ignored by wasEnded),
 * undoing the "offer refused".
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, C, decided, type Leg, req, res, run, sdpAudio, srPkt } from '../dialog-lifecycle/lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
    'apt-def': { type: 'domain', export: 'raw', retention: '1h' },
  },
  default: 'apt-def',
});
const legB: Leg = { callId: 'fork-busy@x', caller: A, callee: B, fromTag: 'f1' };
const legC: Leg = { ...legB, callee: C };
const offer = () => sdpAudio(A.ip, 4000, ['a=mid:a']);
const answer = () => sdpAudio(B.ip, 5000, ['a=mid:a', 'a=aipref:mid apt-none']);
const srB = () => srPkt(B.ip, 5001, A.ip, 4001, 222);
const srA = () => srPkt(A.ip, 4001, B.ip, 5001, 111);

describe("one fork's failure before another fork's 2xx", () => {
  it('486 Busy from C, then 200 from B: the call with B is tracked and governed by its apt-none', async () => {
    const o = await run(ws, [
      req(legB, 'INVITE', 1, null, offer()), // 1
      res(legB, '180 Ringing', 1, 'INVITE', 'tb'), // 2
      res(legC, '180 Ringing', 1, 'INVITE', 'tc'), // 3
      res(legC, '486 Busy Here', 1, 'INVITE', 'tc'), // 4: C's branch only
      res(legB, '200 OK', 1, 'INVITE', 'tb', answer()), // 5
      req(legB, 'ACK', 1, 'tb'), // 6
      srB(), // 7
      srA(), // 8
    ], POL);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['7 drop export-none [apt-none]', '8 drop export-none [apt-none]']);
    expect(o.exports).toEqual([]);
    expect(o.reports.filter((r) => r.type === 'unbound-stream')).toEqual([]);
  });

  it('CANCEL crossing B\'s 200, C\'s branch 487 first: the call with B is tracked and governed by its apt-none', async () => {
    const o = await run(ws, [
      req(legB, 'INVITE', 1, null, offer()), // 1
      res(legB, '180 Ringing', 1, 'INVITE', 'tb'), // 2
      res(legC, '180 Ringing', 1, 'INVITE', 'tc'), // 3
      req(legB, 'CANCEL', 1, null, null, { branch: 'z9hG4bK-fork-busy@x-f1-INVITE1' }), // 4
      res(legC, '487 Request Terminated', 1, 'INVITE', 'tc'), // 5: C's branch
      res(legB, '200 OK', 1, 'INVITE', 'tb', answer()), // 6: B answered as the CANCEL crossed
      req(legB, 'ACK', 1, 'tb'), // 7
      srB(), // 8
      srA(), // 9
    ], POL);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['8 drop export-none [apt-none]', '9 drop export-none [apt-none]']);
    expect(o.exports).toEqual([]);
  });
});
