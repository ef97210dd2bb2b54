/**
 * Found by a review of 05f6d21 (live idleness by the service's time), fixed since: no keep dates a dialog at another agent's stamp any more: live, dialogs idle out by the earlier of the capture clock and the service's own time (src/signaling/dialogs.ts expireIdle).
 * Input: live, two HEP agents. Agent A (clock right) carries call-c (INVITE/200/ACK at T, service
 *   time S), which then goes silent for good (its BYE lost, its media stopped). Agent B, 20 h ahead
 *   (a clock a day off — README "Capture time that jumps" names it), sends an OPTIONS pair stamped
 *   B = T+20h, B+0.01 a second later: the second confirms the capture clock at B and runs the idle
 *   sweep. Then A's records go on (another call's INVITE/200/ACK at T+3 brings the clock back to
 *   A's time), and A sends an OPTIONS every 30 min (its own time, the service's in step) for 30 h.
 *   Driven as the engine drives DialogTracker (handle's clock, serviceNow).
 * Was: at B's second message the sweep keeps call-c by the service's time (its last message 1 s
 *   before) with refresh(d, ctx, false), which dates lastSeen to that record's own stamp, B+0.01 —
 *   20 h ahead of A's time. Once the clock is back on A's time, expireIdle passes call-c over
 *   (`lastSeen > now: continue`) until the clock is past B+4h: call-c is idled out only at the
 *   first sweep after T+24h (T+24.5h here, service time S+24.5h) — 24 h after its last message,
 *   held (with its routes and scope, still binding media to it) six times the bound. (B 5 h ahead:
 *   9 h.)
 * Correct: 05f6d21's rule and README "Limits": a dialog with neither SIP nor media goes after the
 *   4 h idle bound — kept for the service's time since its last message, "until that long after
 *   its last message" (the comment in expireIdle), i.e. between one and two bounds after it (as a
 *   call whose media stopped goes "between 4 and 8 h after its last packet"): by T+8h here.
 * Fix: src/signaling/dialogs.ts expireIdle: a dialog kept by the service's time is dated by the
 *   record that happened to run the sweep (another agent's clock, refresh's ctx.ts). Live, a dialog
 *   passed over for `lastSeen > now` should still be judged by the service's time (and its media):
 *   serviceNow − lastMessageAt past the bound with no recent media idles it out; or date the keep
 *   so that it is looked at again once the service's bound from its last message runs out.
 */
import { expect, it } from 'vitest';
import { H, LiveTracker } from './lir-helpers.js';

it('a dialog kept by the service rule at another agent\'s stamp still goes within two bounds of its last message', () => {
  const T = 1_700_000_000;
  const S = T; // the service's clock right, as agent A's (live, both are real time)
  const B = T + 20 * H;
  const t = new LiveTracker();
  t.call('call-c', T, S);
  // agent B's OPTIONS pair: the first a lone record (the clock stays), the second confirms it
  t.send('OPTIONS sip:x@b.example SIP/2.0', { callId: 'opt-b', cseq: '1 OPTIONS' }, B, T + 0.02, S + 1);
  t.send('SIP/2.0 200 OK', { callId: 'opt-b', cseq: '1 OPTIONS', toTag: 'x' }, B + 0.01, B + 0.01, S + 1.01);
  expect(t.ended('call-c')).toEqual([]); // kept (05f6d21)
  // A goes on: another call (its first record lone under B's clock, the next brings the clock back)
  t.send('INVITE sip:bob@b.example SIP/2.0', { callId: 'call-d', cseq: '1 INVITE' }, T + 3, B + 0.01, S + 3);
  t.send('SIP/2.0 100 Trying', { callId: 'call-d', cseq: '1 INVITE' }, T + 3.01, T + 3.01, S + 3.01);
  t.send('SIP/2.0 486 Busy Here', { callId: 'call-d', cseq: '1 INVITE', toTag: 'd1' }, T + 3.02, T + 3.02, S + 3.02);
  // then an OPTIONS of A every 30 min for 30 h, the service's time in step with A's clock
  let endedAt: number | null = null;
  for (let k = 1; k <= 60 && endedAt === null; k++) {
    const at = k * 1800;
    t.send('OPTIONS sip:x@a.example SIP/2.0', { callId: `opt-a-${k}`, cseq: `${k} OPTIONS` }, T + at, T + at, S + at);
    if (t.ended('call-c').length > 0) endedAt = at;
  }
  const ended = t.ended('call-c');
  expect(ended.map((e) => e.type === 'dialog-ended' && e.reason)).toEqual(['idle-timeout']);
  expect(endedAt! / H).toBeLessThanOrEqual(8.5); // observed: 24.5
});
