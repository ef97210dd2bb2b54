/**
 * Found by a review of 49a1859 (the clock/unbound review's fixes), fixed since: dialogs idle out at the capture clock (DialogTracker.handle's clock: the present idleness and transaction timers are judged at), what happened still dated by its own stamp; the capture clock also confirms a jump by a record further on the same way, so a sparse capture's clock no longer stands still (src/signaling/dialogs.ts expireIdle, src/pipeline/signaling-front.ts message, src/pipeline/replay-engine.ts CaptureClock.through).
 * Input: call A→B (hand-built-calls, Call-ID review-lifecycle@10.0.0.1; both m-sections
 *   `a=aipref:mid apt-x`, policy apt-x domain raw): INVITE 0.1 s, 200 OK 0.2 s; A's SR (1111) at
 *   1 s … 10 s; an out-of-dialog OPTIONS of another call at 20 s; then one SIP record — another
 *   OPTIONS — stamped 3 h 59 min 55 s after that (T0+14415 s: a lone outlier, the next records
 *   are back at 21 s and 22 s); A's SR at 21 s and 22 s. Replayed in-process (workers 0/2 × batch
 *   sizes 1–7, identical) and by the CLI (--workers 0, 1, 2, identical).
 * Was (observed): at the outlier (frame 14) a `state-limit` report "dialog idle (no SIP message,
 *   no media) for more than 14400 s of capture time: its state dropped (idle timeout)" for the
 *   running call, and A's SRs at 21 s and 22 s `drop no-preference` (plus `unbound-stream`): one
 *   mis-stamped record of another call ends a call whose RTCP stopped 10 s before.
 * Correct: no idle-out; the SRs `export raw-allowed` as before the outlier. By the capture clock
 *   (README: "the capture clock windows close by is moved by a record more than 15 min from it
 *   only when the next record confirms it"; since 49a1859 a token is judged by that clock too)
 *   the call was idle 10 s by media, 20 s by SIP. README, dialog limits: "a call whose media
 *   stopped goes between 4 and 8 h after its last packet" — here it goes 10 s after. The tracker
 *   judges idleness by each record's own stamp (DialogTracker.expireIdle: ctx.ts, and
 *   routeOf's lastMedia = view.ts), its only guard a jump past the 4 h idle bound itself from the
 *   message before — so an outlier a little under 4 h ahead (a HEP agent's clock an hour or
 *   three off, a time-zone error) still idles out every call quiet for the rest of the bound.
 * Fix: src/pipeline/replay-engine.ts sip callback / routeOf and src/signaling/dialogs.ts
 *   expireIdle: judge idleness by the capture clock (clockOf: the clock at the message's record;
 *   the media's lastMedia by the clock at its record), or make the tracker's own guard the
 *   CaptureClock's rule (a message more than CLOCK_JUMP_SEC from the last moves nothing out until
 *   the next confirms it).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseLines, policyOf, type ReportLine, Workspace } from '../e2e-helpers.js';
import { type At, decided, message, request, response, sdpOf } from '../hand-built-calls.js';
import { decisionsOf, Scratch } from '../round24-clock-unbound-review/lib.js';
import { keys, replayAll, rtcpAt } from '../token-expiry-review/helpers.js';

const ws = new Workspace();
const s = new Scratch();
beforeAll(keys);
afterAll(async () => {
  await ws.cleanup();
  await s.cleanup();
});
const APTS = { 'apt-x': { type: 'domain', export: 'raw', retention: '1h' } };
const mid = ['a=aipref:mid apt-x'];
const options = (at: At, ts: number, n: number) => at(ts, message(`probe${n}@10.0.0.1`, 'OPTIONS sip:b@10.0.0.2 SIP/2.0', 'OPTIONS', 1, null, [], ''), true);

const capture = (at: At) => {
  at(0.1, request('INVITE', 1, sdpOf('a', mid), [], ''), true); // 1
  at(0.2, response('200 OK', 1, sdpOf('b', mid)), false); // 2
  for (let t = 1; t <= 10; t++) rtcpAt(at, t); // 3..12
  options(at, 20, 1); // 13
  options(at, 20 + 4 * 3600 - 5, 2); // 14: the lone outlier, 3 h 59 min 55 s ahead
  rtcpAt(at, 21); // 15
  rtcpAt(at, 22); // 16
};

it('a lone SIP record stamped just under 4 h ahead idles out no running call', async () => {
  const run = await replayAll(ws, 'idle-outlier', capture, policyOf({ apts: APTS } as never));
  const reports = parseLines<ReportLine>(run.reports);
  expect(reports.filter((r) => r.type === 'state-limit')).toEqual([]);
  expect(decided(run).filter((d) => ['15', '16'].includes(d.split(' ')[0]!))).toEqual(['15 export raw-allowed', '16 export raw-allowed']);
});

it('the same by the CLI (--workers 0, 1, 2)', async () => {
  const run = await s.replay('idle-outlier', capture, { apts: APTS });
  expect(run.reports.filter((r) => r.type === 'state-limit')).toEqual([]);
  expect(decisionsOf(run, 1111).slice(-2)).toEqual(['15 export raw-allowed', '16 export raw-allowed']);
});
