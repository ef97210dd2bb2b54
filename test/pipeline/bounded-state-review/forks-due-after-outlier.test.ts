/**
 * Found by a review of state that grows with input, fixed since: answered INVITEs are filed by their due time, so one stamped far ahead holds no other
 * call's fork timer behind it (dialogs.ts dueInOrder).
 *
 * Input: one DialogTracker (the live service's signaling thread). First one call whose 200 OK
 * is stamped a year ahead of the rest (a single record from a HEP agent or capture with a wrong
 * clock: the README's "a record stamped hours ahead … a clock step", which the idle check
 * already ignores). Then 2000 calls 1 s apart, each INVITE (with SDP), a 180 from one branch
 * (to-tag forkA: an early dialog) and 0.1 s later a 200 from another branch (forkB) — a forking
 * proxy's two phones, one answers. A control run has the same 2000 calls without the outlier.
 *
 * Was: DialogTracker.forksDue is a FIFO pruned from its front while `ctx.ts >= at`; the
 * outlier's entry (at = a year ahead + 32 s) sits at the front and nothing behind it is ever
 * looked at: after 2000 calls it holds 2001 entries (control: 32; 20 000 calls: 20 001) and no
 * call's unanswered branch is ended — the control ends 1968 early forkA dialogs (c0 … c1967) ("cancelled",
 * 32 s after their call's 2xx, RFC 3261 §13.2.2.4), the run with the outlier none
 * ("expected [] to deeply equal [ 'c0/forkA/cancelled', … ]"). The early dialogs stay until
 * idle-out (4 h), holding their transports, for every call answered after the outlier, until
 * the clock catches up with it (a year here).
 * Correct: forksDue is pruned by time: one record's time must not hold back the others' (the
 * tracker's own idle check and CaptureClock refuse to let one outlier move things; here it
 * stops them instead). With or without the outlier the same unanswered branches end, at the
 * same messages, and forksDue holds at most the calls answered in the last 32 s (+1: the
 * outlier's own).
 * Fix: src/signaling/dialogs.ts expireIdle / the forksDue push in handleResponse: keep forksDue
 * as a min-heap by `at` (or skip, not stop at, an entry more than idleTimeoutSec ahead of the
 * message's time: it cannot be due before the clock gets there, and one further than the idle
 * bound from the message before is an outlier for expireIdle already).
 */
import { describe, expect, it } from 'vitest';
import type { SipContext } from '../../../src/signaling/dialog-events.js';
import { DialogTracker } from '../../../src/signaling/dialogs.js';
import { audioSdp, callMessage } from '../../signaling/sip-fixtures.js';

type Any = Record<string, any>;
const T = 1_800_000_000;

function run(outlier: boolean): { forksDue: number; endedForks: string[] } {
  const tracker = new DialogTracker();
  let frame = 0;
  const ctx = (ts: number): SipContext => ({ frame: ++frame, ts, src: '192.0.2.1', dst: '192.0.2.2', sport: 5060, dport: 5060, transport: 'udp' });
  const endedForks: string[] = [];
  const call = (callId: string, ts: number) => {
    const events = [
      ...tracker.handle(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId, cseq: '1 INVITE', sdp: audioSdp() }), ctx(ts)),
      ...tracker.handle(callMessage('SIP/2.0 180 Ringing', { callId, cseq: '1 INVITE', toTag: 'forkA' }), ctx(ts + 0.1)),
      ...tracker.handle(callMessage('SIP/2.0 200 OK', { callId, cseq: '1 INVITE', toTag: 'forkB', sdp: audioSdp({ port: 5000 }) }), ctx(ts + 0.2)),
    ];
    for (const e of events) if (e.type === 'dialog-ended' && e.dialog.toTag === 'forkA') endedForks.push(`${e.dialog.callId}/${e.dialog.toTag}/${e.reason}`);
  };
  if (outlier) call('outlier', T + 365 * 86400);
  for (let i = 0; i < 2000; i++) call(`c${i}`, T + i);
  // (filed by source since round 28: one source here)
  const due = [...((tracker as unknown as Any).forksDue as Map<number, unknown[]>).values()].reduce((n, q) => n + q.length, 0);
  return { forksDue: due, endedForks: endedForks.filter((e) => !e.startsWith('outlier/')) };
}

describe('the unanswered branches of forked calls, after one record stamped a year ahead', () => {
  it('end as without the outlier, and forksDue stays at the last 32 s of answered calls', () => {
    const control = run(false);
    // (the control itself: every call's forkA ends 32 s after its 2xx, at the 2xx of the 32nd call after it)
    expect(control.endedForks.length).toBe(1968);
    expect(control.forksDue).toBe(32);
    const skewed = run(true);
    expect.soft(skewed.forksDue).toBeLessThanOrEqual(control.forksDue + 1);
    expect(skewed.endedForks).toEqual(control.endedForks);
  }, 30_000);
});
