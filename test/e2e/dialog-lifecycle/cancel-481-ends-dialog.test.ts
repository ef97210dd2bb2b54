/**
 * Found by a review of dialog lifecycles, fixed since: a 481 answering a CANCEL (or a PRACK)
 * ended the whole dialog. A INVITEs B (`a=aipref:session apt-raw`); B rings (180, t1) and
 * answers 200 OK; A's CANCEL, sent before the 200 reached it, arrives after, and B answers it
 * `481 Call/Transaction Does Not Exist` (its INVITE server transaction ended at the 2xx, RFC
 * 3261 §17.2.1). Was: the 481 taken for a failed in-dialog request ended dialog t1; the running
 * call's SR (frame 7) dropped as no-preference with an unbound-stream report, its ACK and BYE
 * ignored. A 481 to a CANCEL says the transaction to cancel was not found (§9.2); §12.2.1.2
 * (481/408 end the dialog) concerns requests within the dialog, which a CANCEL is not. The same
 * for a 481 to a PRACK that crossed the 2xx (RFC 3262 §3) and to the CANCEL of an answered
 * re-INVITE. SPEC §5: BYE ends the dialog and its bindings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, decided, type Leg, req, res, run, sdpAudio, srPkt } from './lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('CANCEL racing the 200 OK, answered 481', () => {
  it('the call the 200 set up stays bound to its dialog', async () => {
    const leg: Leg = { callId: 'cancel-race@x', caller: A, callee: B, fromTag: 'f1' };
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])), // 1
      res(leg, '180 Ringing', 1, 'INVITE', 't1'), // 2
      res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)), // 3
      req(leg, 'CANCEL', 1, null, null, { branch: 'z9hG4bK-cancel-race@x-f1-INVITE1' }), // 4: same branch as the INVITE
      res(leg, '481 Call/Transaction Does Not Exist', 1, 'CANCEL', 't1', null, { branch: 'z9hG4bK-cancel-race@x-f1-INVITE1' }), // 5
      req(leg, 'ACK', 1, 't1'), // 6
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 7: the call is running
      req(leg, 'BYE', 2, 't1'), // 8
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 9: after the BYE
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['7 export raw-allowed [apt-raw]', '9 drop no-preference []']);
    expect(o.exports.map((e) => e.dialog?.toTag)).toEqual(['t1']);
  });
});
