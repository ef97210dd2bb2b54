/**
 * Found by a review of 6ae331d (dialogs idle at the capture clock), fixed since: an INVITE transaction's 32 s timers (forksDue, failedInvites) are set and judged on the records' own stamps alike again; only idleness is judged at the clock (src/signaling/dialogs.ts expireIdle, failedInvite).
 * Input: a merged capture of two sources whose clocks differ by 1 h (two interfaces / HEP agents,
 *   README: "a merged capture"): source X's out-of-dialog OPTIONS (call probe@x, C→A) stamped
 *   T0+3600+k come first and alternate with the records of a forking call Y stamped T0+k — the
 *   dialog-shapes-review case: INVITE from A (no a=aipref), 180 from B (tb) and C (tc), 486 from
 *   C's branch, 200 OK from B with `a=aipref:mid apt-none`, ACK; then B's and A's SRs. Policy
 *   default apt-def (domain, raw). Replayed in-process, --workers 0 and 2 (identical).
 * Was (observed): Y's SRs `export raw-allowed [apt-def]` — B's 200 after C's 486 is not taken
 *   as the INVITE's success: DialogTracker.failedInvite compares the failure's `until` (the 486's
 *   own stamp + 32 s) with `this.now`, the capture clock, which stands on X's records 1 h ahead
 *   (X's record came first; each Y record is a lone jump back the next X record undoes) — the
 *   failed INVITE is taken as 1 h stale the moment it failed (and pruned). Before 6ae331d (per its diff) the
 *   same capture was judged by Y's own stamps and the call was tracked; and with X's records
 *   stamped 1 h *behind* instead (clock on Y) it still is (control) — the outcome depends on
 *   which source's record came first.
 * Correct: as without X (dialog-shapes-review/fork-failure-before-other-fork-2xx): "drop
 *   export-none [apt-none]" for both SRs, no export — RFC 3261 §13.2.2.4 / §16.7: a 2xx within the
 *   INVITE transaction (64*T1 of the transaction's own time) makes the dialog; the 200 came 1 s
 *   after the 486 by the call's own clock.
 * Fix: src/signaling/dialogs.ts failedInvite / onFailure's pruning and expireIdle's forksDue:
 *   date and judge a transaction timer on one time base — its due moment from the clock at the
 *   message (this.now + INVITE_COMPLETE_SEC) if judged at the clock, or judge it by the message's
 *   own stamp (ctx.ts) as before; not own-stamp due vs clock now.
 */
import { afterAll, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, C, decided, type Leg, req, res, run, sdpAudio, srPkt, type Datagram } from '../dialog-lifecycle/lifecycle-helpers.js';

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
const probe: Leg = { callId: 'probe@x', caller: C, callee: A, fromTag: 'p1' };
const offer = () => sdpAudio(A.ip, 4000, ['a=mid:a']);
const answer = () => sdpAudio(B.ip, 5000, ['a=mid:a', 'a=aipref:mid apt-none']);
const call: Datagram[] = [
  req(legB, 'INVITE', 1, null, offer()),
  res(legB, '180 Ringing', 1, 'INVITE', 'tb'),
  res(legC, '180 Ringing', 1, 'INVITE', 'tc'),
  res(legC, '486 Busy Here', 1, 'INVITE', 'tc'),
  res(legB, '200 OK', 1, 'INVITE', 'tb', answer()),
  req(legB, 'ACK', 1, 'tb'),
  srPkt(B.ip, 5001, A.ip, 4001, 222),
  srPkt(A.ip, 4001, B.ip, 5001, 111),
];
/** X's record (offset from the call) before each of the call's records: frames 2k+1 X, 2k+2 Y */
const merged = (offset: number) => call.flatMap((d, k) => [{ at: offset + k + 0.5, d: req(probe, 'OPTIONS', k + 1, null) }, { at: k + 1, d }]);
const yDecisions = (o: Awaited<ReturnType<typeof run>>) => decided(o).filter((d) => ['14', '16'].includes(d.split(' ')[0]!));

it('the other source 1 h ahead, its record first: the 2xx after one fork\'s 486 still makes the call', async () => {
  const o = await run(ws, merged(3600), POL);
  expect(o.w2).toEqual(o.w0);
  expect(yDecisions(o)).toEqual(['14 drop export-none [apt-none]', '16 drop export-none [apt-none]']);
  expect(o.exports).toEqual([]);
});

it('control: the other source 1 h behind (the clock on the call): the call is made', async () => {
  const o = await run(ws, merged(-3600), POL);
  expect(o.w2).toEqual(o.w0);
  expect(yDecisions(o)).toEqual(['14 drop export-none [apt-none]', '16 drop export-none [apt-none]']);
  expect(o.exports).toEqual([]);
});
