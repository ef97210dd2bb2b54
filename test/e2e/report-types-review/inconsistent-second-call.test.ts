/**
 * Found by a review of the report types, fixed since: a message delivering parts of an identifier
 * the registry holds in disagreement tells its call of that disagreement once
 * (src/pipeline/signaling-front.ts reportFindings, AptRegistry.disagreements), as unresolved-apt
 * and integrity-failure are said once per call.
 *
 * Report review (SPEC §3, §6 inconsistent-signaling; README "Statements and precedence").
 *
 * Input: two hand-built calls one after the other (calls-on-any-address.ts callSetup), Call-IDs
 * rb-call@10.0.0.1 (frames 1–3) and second@x (frames 4–6), each INVITE carrying
 * `AI-Pref: apt-1;export=raw;type=user` and an SDP offer whose audio m-section says
 * `a=aipref:mid apt-1 export=none`: in each call the SIP and SDP layers disagree on export.
 * For comparison the same two calls naming an unresolved identifier (a=aipref:mid apt-unk) and an
 * integrity-failing one (AI-Pref apt-i;integrity=jws;token=abc.def.ghi): those are reported
 * under each call's INVITE (frames 1 and 4).
 *
 * Was: one line only, for the first call:
 *   {"type":"inconsistent-signaling","ts":1767225600.1,"frame":1,"dialog":{"callId":
 *   "rb-call@10.0.0.1","fromTag":"ftag","toTag":""},"apt":["apt-1"],"detail":
 *   "inconsistent-signaling (export): \"raw\" from ai-pref-header vs \"none\" from sdp-aipref; …"}
 *   — nothing for second@x, whose own INVITE disagrees the same way (its stream's export is
 *   decided by the "most restrictive kept" rule just as the first call's).
 * Correct: a second inconsistent-signaling line {ts 1767225600.4, frame 4, dialog {second@x,
 *   ftag, ""}, apt ["apt-1"]}. SPEC §6: the report is made when a dialog's SDP a=aipref and
 *   SIP AI-Pref disagree; a report names the dialog (SPEC §8), and an operator following
 *   second@x has no line saying its signaling is inconsistent. The project already reports
 *   unresolved-apt and integrity-failure once per call for the same reason (README: "once per
 *   call: under the INVITE that named it"; signaling-front integrityToldOf: "the registry told
 *   only the first call that presented the failing APT"). Repeats within one call (a
 *   refresh re-INVITE) stay silent — that is checked in PASSING.test.ts.
 * Fix: src/pipeline/signaling-front.ts: the registry's merge finding (src/policy/statement.ts
 *   'inconsistent-signaling') is made only when a part first differs; keep, per call (like
 *   integrityTold), which identifiers' disagreements the call was told of, and when a message
 *   delivers parts that the registry already holds in disagreement (deliver(): no new finding)
 *   report the held disagreement once for this call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, callSetup, replay, sdp } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import { audio } from '../explanations-review/helpers.js';
import { answer, countsOf, policy } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const twoCalls = (line: string, header: string) => {
  const offer = sdp(A, [audio(4000, 1111, [line])]);
  return [...callSetup({ offer, answer, inviteHeaders: [header] }), ...callSetup({ callId: 'second@x', offer, answer, inviteHeaders: [header] })];
};
const dlg = (callId: string) => ({ callId, fromTag: 'ftag', toTag: '' });

describe('inconsistent-signaling in a second call stating the same disagreement', () => {
  it('comparison: unresolved-apt and integrity-failure are said under each call (passes)', async () => {
    const r = await replay(ws, twoCalls('a=aipref:mid apt-unk', 'AI-Pref: apt-i;integrity=jws;token=abc.def.ghi;export=raw;scope=dialog'), policy);
    expect(r.reports.map((x) => [x.type, x.frame, x.dialog?.callId, x.apt])).toEqual([
      ['integrity-failure', 1, 'rb-call@10.0.0.1', ['apt-i']],
      ['unresolved-apt', 1, 'rb-call@10.0.0.1', ['apt-unk']],
      ['integrity-failure', 4, 'second@x', ['apt-i']],
      ['unresolved-apt', 4, 'second@x', ['apt-unk']],
    ]);
  });

  it('second@x is told of its SIP/SDP disagreement too', async () => {
    const r = await replay(ws, twoCalls('a=aipref:mid apt-1 export=none', 'AI-Pref: apt-1;export=raw;type=user'), policy);
    expect(r.reports.map((x) => ({ type: x.type, ts: x.ts, frame: x.frame, dialog: x.dialog, apt: x.apt }))).toEqual([
      { type: 'inconsistent-signaling', ts: 1767225600.1, frame: 1, dialog: dlg('rb-call@10.0.0.1'), apt: ['apt-1'] },
      { type: 'inconsistent-signaling', ts: 1767225600.4, frame: 4, dialog: dlg('second@x'), apt: ['apt-1'] },
    ]);
    expect(r.summary.reports).toEqual(countsOf(r.reports));
  });
});
