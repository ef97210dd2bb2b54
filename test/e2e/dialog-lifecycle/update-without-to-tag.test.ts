/**
 * An UPDATE without a To tag names no dialog: UPDATE is sent only within a dialog (RFC 3311
 * §5.1), and one outside any is answered 481, its offer never taking effect.
 *
 * Was (found by the dialog tracker's property test when tags became case-insensitive): such an
 * UPDATE, first seen in a capture, was adopted as a mid-call dialog whose To tag was null (the
 * dialog key spelled "null"), and its SDP's a=aipref governed the media: the SR at frame 3 was
 * exported raw under apt-raw with `toTag: null`. Now the UPDATE is ignored as a message of no
 * dialog, its 481 too, and the SR is unbound (drop, no-preference; SPEC §3: absence is not
 * consent). A re-INVITE or UPDATE with both tags is still adopted (lifecycle-coverage).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, decided, type Leg, req, res, run, sdpAudio, srPkt } from './lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an UPDATE outside any dialog', () => {
  it('is not adopted as a dialog', async () => {
    const leg: Leg = { callId: 'stray-update@x', caller: A, callee: B, fromTag: 'f1' };
    const o = await run(ws, [
      req(leg, 'UPDATE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])), // 1
      res(leg, '481 Call/Transaction Does Not Exist', 1, 'UPDATE', 'x9'), // 2
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 3
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['3 drop no-preference []']);
    expect(o.exports).toEqual([]);
  });
});
