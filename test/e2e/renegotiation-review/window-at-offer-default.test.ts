/**
 * Found by a review of renegotiation and its reports (SPEC §5, §6), fixed since (see Fix).
 *
 * Input: a call whose m-section is under a=aipref:mid apt-agg (aggregated-only, 1h); the policy
 * file's operator default is apt-def (domain, raw, 1h). SR of A's stream at 0.4 s (frame 4); a
 * re-INVITE at 0.5 s (frame 5) removes the a=aipref line; SR at 0.6 s (frame 6) while it awaits
 * its answer; the 200 at 0.7 s (frame 7).
 *
 * Was: two overlapping aggregates of the same stream:
 * {window: {start: 0.4, end: 0.7}, apt: ["apt-agg"]} and {window: {start: 0.6, end: 0.7},
 * apt: ["apt-agg","apt-def"]}. The item at 0.6 is judged under the pending offer by
 * [apt-agg, apt-def] (absence on the proposed side, the operator default combined in), but the
 * [apt-agg] window was not closed at the offer: MediaCore's decidingState() compares
 * [ids, resolved, disabled, identity] and leaves out StreamPreference.withAbsence, which is
 * exactly what changed at the offer.
 *
 * Correct: SPEC §5 "Telemetry before the change is judged by the old scope, after it by the new
 * one, exactly at the packet where the change was seen"; README: windows close "where a scope
 * change changes what decides the stream's items (its identifiers, what they resolve to …)".
 * The [apt-agg] window closes at the offer: {start 0.4, end 0.5}.
 *
 * Fix: src/pipeline/media-core.ts decidingState(): include pref.withAbsence (the default's
 * participation) in the state compared by closeChangedWindows.
 */
import { afterAll, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { decided, req, res, run, T0 } from '../dialog-lifecycle/lifecycle-helpers.js';
import { leg, sameWithWorkers, sdpA, sdpB, setUp, srA } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const rel = (t: number) => Math.round((t - T0) * 1000) / 1000;

it('the old window closes at the offer that brings the operator default in', async () => {
  const policy = policyOf({ apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' }, 'apt-def': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-def' });
  const o = await run(ws, [
    ...setUp(['a=aipref:mid apt-agg']),
    srA(), // 4 at 0.4
    req(leg, 'INVITE', 2, 't1', sdpA([])), // 5 at 0.5
    srA(), // 6 at 0.6
    res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), // 7 at 0.7
    req(leg, 'ACK', 2, 't1'), // 8
  ], policy);
  sameWithWorkers(o);
  expect(decided(o)).toEqual(['4 aggregate aggregated-only [apt-agg]', '6 aggregate aggregated-only [apt-agg,apt-def]']);
  const windows = o.exports.filter((e) => e.type === 'aggregate' && e.stream.ssrc === 111).map((e) => ({ apt: e.apt, start: rel(e.window!.start), end: rel(e.window!.end) }));
  expect(windows).toEqual([
    { apt: ['apt-agg'], start: 0.4, end: 0.5 },
    { apt: ['apt-agg', 'apt-def'], start: 0.6, end: 0.7 },
  ]);
});
