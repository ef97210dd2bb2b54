/**
 * Found by a review of renegotiation and its reports (SPEC §5, §6), fixed since (see Fix).
 *
 * Input: a call whose m-section is under a=aipref:mid apt-agg (aggregated-only); the policy file
 * names an operator default APT apt-def (domain, export raw). A re-INVITE (frame 5) removes the
 * a=aipref line, the 200 (frame 7) accepts it; SR of A's stream after the answer (frame 9).
 *
 * Was: {"type":"scope-removed","frame":7,"mid":"a","apt":["apt-agg"],"fallback":[],
 * "detail":"attribute-removed; falls back to nothing (telemetry drops)"} — while frame 9 is
 * "export raw-allowed [apt-def]": the telemetry does not drop, the operator's default governs it.
 *
 * Correct: SPEC §5: the report names "the scope the stream falls back to, if any"; SPEC §3/§9:
 * with no applicable APT the operator's explicit default APT applies. The stream falls back to
 * apt-def: fallback ["apt-def"], and the detail must not say the telemetry drops.
 *
 * Fix: src/pipeline/signaling-front.ts SignalingFront.reportDiff: where nothing remains (not a
 * stopped section) and `this.policy.defaultApt` is set, the fallback is [defaultApt] with a
 * detail such as "falls back to the operator's default apt-def".
 */
import { afterAll, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { decided, req, res, run } from '../dialog-lifecycle/lifecycle-helpers.js';
import { leg, sameWithWorkers, sdpA, sdpB, setUp, srA } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it("scope-removed names the operator's default APT as the fallback when nothing else remains", async () => {
  const policy = policyOf({ apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' }, 'apt-def': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-def' });
  const o = await run(ws, [
    ...setUp(['a=aipref:mid apt-agg']),
    srA(), // 4
    req(leg, 'INVITE', 2, 't1', sdpA([])), // 5: removes the a=aipref line
    srA(), // 6
    res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), // 7
    req(leg, 'ACK', 2, 't1'), // 8
    srA(), // 9
  ], policy);
  sameWithWorkers(o);
  expect(decided(o).at(-1)).toBe('9 export raw-allowed [apt-def]');
  const removed = o.reports.filter((r) => r.type === 'scope-removed');
  expect(removed.map((r) => [r.frame, r.mid, r.apt, r.fallback])).toEqual([[7, 'a', ['apt-agg'], ['apt-def']]]);
  expect(removed[0]!.detail).not.toMatch(/telemetry drops|falls back to nothing/);
});
