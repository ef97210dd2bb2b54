/**
 * Found by a review of the report types, fixed since: an integrity-failure or unresolved-apt the
 * registry found is worded as every later call's is — "<why>: counted as most restrictive" —
 * without the finding's type as a prefix (src/pipeline/signaling-front.ts reportFinding).
 *
 * Report review (SPEC §6 integrity-failure; brief: `detail` readable, without internal noise).
 * Low severity.
 *
 * Input: two hand-built calls (rb-call@10.0.0.1 frames 1–3, second@x frames 4–6), each INVITE
 * with `AI-Pref: apt-i;integrity=jws;token=abc.def.ghi;export=raw;scope=dialog` (a JWS that
 * does not parse). Both calls get an integrity-failure under their INVITE (right).
 *
 * Was: the same failure says two things:
 *   frame 1: "detail":"integrity-failure; malformed: JWS Protected Header is invalid"
 *   frame 4: "detail":"malformed: JWS Protected Header is invalid: counted as most restrictive"
 *   The first repeats the report's own type (the internal PolicyFinding.type prefix) and omits
 *   the consequence; the second path (reportUnresolved) words it as unresolved-apt does.
 * Correct: one wording for one occurrence kind, whichever path made it; both lines
 *   "malformed: JWS Protected Header is invalid: counted as most restrictive".
 * Fix: src/pipeline/signaling-front.ts reportFinding: for f.type 'integrity-failure' (and
 *   'unresolved-apt') make the detail `${f.detail}: counted as most restrictive` as
 *   reportUnresolved does, without the `${f.type}` prefix (the same prefix makes inconsistent-
 *   signaling details start "inconsistent-signaling (export): …").
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, callSetup, replay, sdp } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import { audio } from '../explanations-review/helpers.js';
import { answer, policy } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('integrity-failure detail', () => {
  it('is worded the same for the same failure in two calls', async () => {
    const offer = sdp(A, [audio(4000, 1111)]);
    const header = 'AI-Pref: apt-i;integrity=jws;token=abc.def.ghi;export=raw;scope=dialog';
    const r = await replay(ws, [...callSetup({ offer, answer, inviteHeaders: [header] }), ...callSetup({ callId: 'second@x', offer, answer, inviteHeaders: [header] })], policy);
    expect(r.reports.map((x) => [x.type, x.frame, x.dialog?.callId, x.detail])).toEqual([
      ['integrity-failure', 1, 'rb-call@10.0.0.1', 'malformed: JWS Protected Header is invalid: counted as most restrictive'],
      ['integrity-failure', 4, 'second@x', 'malformed: JWS Protected Header is invalid: counted as most restrictive'],
    ]);
  });
});
