/**
 * Found by a review of 6ae331d (dialogs idle at the capture clock; the fault was older), fixed since: the idle walk passes over a dialog dated ahead of the clock instead of stopping at it (src/signaling/dialogs.ts expireIdle).
 * Input: call L (long@x, A→B, `a=aipref:session apt-raw`): INVITE 0 s, 200 OK 0.1 s; then one
 *   INVITE of another call O (other@x, C→B) stamped a day ahead (a lone outlier: a HEP agent's
 *   wrong clock; the capture clock does not move); L's ACK at 0.2 s (L refreshed after O: behind
 *   it in the tracker's map); L's SR at 5 s; then nothing of L for more than 4 h: two SIP
 *   messages of a third call P at 4 h + 100 s and 4 h + 101 s (the clock confirms the step),
 *   and L's SR at 4 h + 102 s. Replayed in-process with --workers 0 and 2 (identical).
 * Was (observed): no state-limit for long@x; L's late SR `export raw-allowed [apt-raw]` — the
 *   call, idle 4 h of the capture clock by SIP and by media, is kept. DialogTracker.expireIdle
 *   walks the dialogs map in its insertion (refresh) order and `break`s at the first dialog not
 *   idle; O's lastSeen is its own stamp, a day ahead of the clock, so the walk stops at O and
 *   every dialog refreshed after O hides behind it until the clock reaches O's stamp + 4 h —
 *   here for the rest of the capture (one outlier record keeps every later call for good:
 *   memory, maxDialogs, and a finished call's old preferences applied to reused ports).
 * Correct: L idles out at P's second message (frame 7: state-limit "no SIP message, no media"),
 *   its late SR `drop no-preference` — README: "A dialog idles out after 4 h of the capture
 *   clock with neither SIP nor media"; the commit's own comment: "a message stamped ahead looks
 *   fresh until the clock gets there" (O's, not every dialog behind it).
 * Fix: src/signaling/dialogs.ts expireIdle / refresh: keep the walk's order key monotone in the
 *   capture clock — note the clock at the message (this.now) as the idleness moment the map is
 *   ordered and judged by (lastSeen stays the own stamp for what is reported), or do not `break`
 *   at a dialog whose lastSeen is ahead of `now` (skip it; break only at one dated at/before now).
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, C, decided, type Leg, req, res, run, sdpAudio, srPkt } from '../dialog-lifecycle/lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const H = 4 * 3600;
const L: Leg = { callId: 'long@x', caller: A, callee: B, fromTag: 'f1' };
const O: Leg = { callId: 'other@x', caller: C, callee: B, fromTag: 'g1' };
const P: Leg = { callId: 'third@x', caller: C, callee: A, fromTag: 'h1' };

it('a call idle 4 h of the capture clock idles out though another dialog was stamped a day ahead', async () => {
  const o = await run(ws, [
    { at: 0, d: req(L, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])) }, // 1
    { at: 0.1, d: res(L, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)) }, // 2
    { at: 86400, d: req(O, 'INVITE', 1, null, sdpAudio(C.ip, 6000)) }, // 3: a lone outlier a day ahead
    { at: 0.2, d: req(L, 'ACK', 1, 't1') }, // 4
    { at: 5, d: srPkt(A.ip, 4001, B.ip, 5001, 111) }, // 5
    { at: H + 100, d: req(P, 'OPTIONS', 1, null) }, // 6
    { at: H + 101, d: req(P, 'OPTIONS', 2, null) }, // 7: the clock confirms the step; L idle by SIP and media
    { at: H + 102, d: srPkt(A.ip, 4001, B.ip, 5001, 111) }, // 8
  ]);
  expect(o.w2).toEqual(o.w0);
  expect(decided(o)[0]).toBe('5 export raw-allowed [apt-raw]');
  const idle = o.reports.filter((r) => r.type === 'state-limit' && r.dialog?.callId === 'long@x');
  expect(idle.map((r) => r.frame)).toEqual([7]);
  expect(decided(o)[1]).toBe('8 drop no-preference []');
});

it('control: without the outlier the same call idles out at frame 6 (same frames less one)', async () => {
  const o = await run(ws, [
    { at: 0, d: req(L, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])) },
    { at: 0.1, d: res(L, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)) },
    { at: 0.2, d: req(L, 'ACK', 1, 't1') },
    { at: 5, d: srPkt(A.ip, 4001, B.ip, 5001, 111) },
    { at: H + 100, d: req(P, 'OPTIONS', 1, null) },
    { at: H + 101, d: req(P, 'OPTIONS', 2, null) }, // 6
    { at: H + 102, d: srPkt(A.ip, 4001, B.ip, 5001, 111) }, // 7
  ]);
  const idle = o.reports.filter((r) => r.type === 'state-limit' && r.dialog?.callId === 'long@x');
  expect(idle.map((r) => r.frame)).toEqual([6]);
  expect(decided(o)[1]).toBe('7 drop no-preference []');
});
