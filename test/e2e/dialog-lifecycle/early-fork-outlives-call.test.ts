/**
 * Found by a review of dialog lifecycles, fixed since: after a forked call ended, an early
 * dialog of a fork that never answered took over the call's media. Parallel ringing seen on the
 * caller's side: 180s from t1 and t2, t2 answers 200 OK at 1 s, the proxy cancels t1 downstream
 * (its 487 absorbed, RFC 3261 §16.7); BYE for t2 at 60 s; late RTCP of the call at 61 and 62 s.
 * Was: both late SRs `export raw-allowed [apt-raw]` under `toTag: "t1"`, a phone that never
 * answered: its early dialog (the INVITE's offer, A's address) stayed live for the 4 h idle
 * bound and, t2 gone, was the only dialog naming A's port. RFC 3261 §13.2.2.4: 64*T1 (32 s)
 * after the first 2xx the early dialogs never established are terminated; and they end with
 * the call they were forked beside. Now both SRs drop as no-preference (SPEC §5: BYE ends the
 * dialog and its bindings).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, decided, type Leg, req, res, run, sdpAudio, srPkt } from './lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('parallel ringing: the fork that never answered', () => {
  it("does not take the answered call's media after its BYE", async () => {
    const leg: Leg = { callId: 'parallel@x', caller: A, callee: B, fromTag: 'f1' };
    const o = await run(ws, [
      { at: 0, d: req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])) }, // 1
      { at: 0.1, d: res(leg, '180 Ringing', 1, 'INVITE', 't1') }, // 2
      { at: 0.2, d: res(leg, '180 Ringing', 1, 'INVITE', 't2') }, // 3
      { at: 1, d: res(leg, '200 OK', 1, 'INVITE', 't2', sdpAudio(B.ip, 5000)) }, // 4
      { at: 1.1, d: req(leg, 'ACK', 1, 't2') }, // 5
      { at: 10, d: srPkt(B.ip, 5001, A.ip, 4001, 222) }, // 6: during the call, t2
      { at: 60, d: req(leg, 'BYE', 2, 't2') }, // 7
      { at: 60.1, d: res(leg, '200 OK', 2, 'BYE', 't2') }, // 8
      { at: 61, d: srPkt(B.ip, 5001, A.ip, 4001, 222) }, // 9: late RTCP of the ended call
      { at: 62, d: srPkt(A.ip, 4001, B.ip, 5001, 111) }, // 10
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(o.exports.map((e) => `${e.stream.ssrc} ${e.dialog?.toTag}`)).toEqual(['222 t2']);
    expect(decided(o)).toEqual(['6 export raw-allowed [apt-raw]', '9 drop no-preference []', '10 drop no-preference []']);
  });
});
