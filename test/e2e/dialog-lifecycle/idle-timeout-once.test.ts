/**
 * A call that idles out (no SIP for the 4 h bound of capture time, no BYE captured) is reported
 * once, under its dialog.
 *
 * Was (found by the review of state that outlives calls): two `state-limit` reports at the
 * frame that found it idle — one for the answered INVITE's own entry (`toTag: ""`), kept and
 * touched beside the dialog it established, one for the dialog — and two `dialog-ended`
 * events, so the summary counted two evictions per call. Now one report naming the dialog
 * (tags f1/t1); the INVITE's entry goes with it. Its media after that is unbound (drop,
 * no-preference), as before.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, C, decided, type Leg, req, res, run, sdpAudio, srPkt } from './lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an answered call that idles out', () => {
  it('is reported once, under its dialog', async () => {
    const leg: Leg = { callId: 'idle@x', caller: A, callee: B, fromTag: 'f1' };
    const other: Leg = { callId: 'later@x', caller: C, callee: B, fromTag: 'g1' };
    const H = 4 * 3600;
    const o = await run(ws, [
      { at: 0, d: req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])) }, // 1
      { at: 0.1, d: res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)) }, // 2
      { at: 0.2, d: req(leg, 'ACK', 1, 't1') }, // 3
      { at: 5, d: srPkt(A.ip, 4001, B.ip, 5001, 111) }, // 4
      { at: H + 10, d: req(other, 'INVITE', 1, null, sdpAudio(C.ip, 6000)) }, // 5: 4 h on: one message so far past the one before expires nothing
      { at: H + 10.5, d: res(other, '100 Trying', 1, 'INVITE', null) }, // 6: finds the first call idle
      { at: H + 11, d: srPkt(A.ip, 4001, B.ip, 5001, 111) }, // 7
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(o.reports.filter((r) => r.type === 'state-limit').map((r) => ({ frame: r.frame, dialog: r.dialog }))).toEqual([{ frame: 6, dialog: { callId: 'idle@x', fromTag: 'f1', toTag: 't1' } }]);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '7 drop no-preference []']);
  });
});
