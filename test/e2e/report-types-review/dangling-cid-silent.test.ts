/**
 * Found by a review of the report types (SPEC §6), fixed since: only an earlier message's part excuses a uri=<cid:…> reference to a part the message lacks (signaling-front statedBefore).
 *
 * Report review (SPEC §2.2 body statements by Content-ID, §3 unresolved-apt; README "Statements
 * and precedence": "A value whose `uri=<cid:…>` names a body part the message lacks, or one that
 * does not decode, is unresolved (its statement is that part), unless a part of an earlier
 * message stated the identifier").
 *
 * Input: hand-built call whose INVITE body is multipart/mixed: the SDP offer (audio mid "a",
 * SSRC 1111, no a=aipref) and one application/aipref+json part, Content-ID <p1>, reading
 * {"apt-b": {"export": "raw"}}; header `AI-Pref: apt-b;uri=<cid:p9>;scope=dialog` — p9 is no
 * part of the message. Frame 4 is A's SR. (The same with the p1 part stating only apt-o gives
 * the unresolved-apt "frame 1: uri=<cid:p9> names no body part of the message that could be
 * read: its statement is unknown: counted as most restrictive" and drops: asserted first.)
 *
 * Was: no unresolved-apt and no other word about the dangling uri=<cid:p9>: reports are only
 *   {"type":"implicit-binding","frame":4,…,"apt":["apt-b"]}, and frame 4 is decided
 *   {"decision":"export","reason":"raw-allowed","apt":["apt-b"],"rule":"single-statement"} from
 *   the unreferenced part p1 of the same message.
 * Correct (README as written: only a part of an EARLIER message excuses the missing one):
 *   {"type":"unresolved-apt","ts":1767225600.1,"frame":1,"dialog":{…,"toTag":""},"apt":["apt-b"],
 *   "detail":"frame 1: uri=<cid:p9> names no body part of the message that could be read: its
 *   statement is unknown: counted as most restrictive"} and frame 4 dropped (rule
 *   unresolved-apt). If the lead decides the same message's other part may speak for apt-b,
 *   the README sentence must say so and the dangling reference still deserves a report
 *   (malformed-input naming uri=<cid:p9>): silently skipping a broken reference is what SPEC §6
 *   malformed-input exists for.
 * Fix: src/pipeline/signaling-front.ts deliverBodyParts: the cid check
 *   `this.bodyStated.has(v.id)` sees the parts this message just added (bodyStated.add in the
 *   loop above it); take the set before this message's parts are added (a snapshot, or a
 *   per-message set subtracted), as the comment there ("a part of an earlier message") says.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, B, callSetup, replay, rtcp, sdp, sr } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import { audio } from '../explanations-review/helpers.js';
import { answer, dialog, policy } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const multipart = (part: string) =>
  ['--bnd', 'Content-Type: application/sdp', '', sdp(A, [audio(4000, 1111)]), '--bnd', 'Content-Type: application/aipref+json', 'Content-ID: <p1>', '', part, '--bnd--', ''].join('\r\n');
const run = (part: string) =>
  replay(ws, [...callSetup({ offer: multipart(part), offerType: 'multipart/mixed;boundary=bnd', answer, inviteHeaders: ['AI-Pref: apt-b;uri=<cid:p9>;scope=dialog'] }), rtcp(A, B, 4001, 5001, [sr(1111)])], policy);
const unresolved = { type: 'unresolved-apt', ts: 1767225600.1, frame: 1, dialog: { ...dialog, toTag: '' }, apt: ['apt-b'], detail: 'frame 1: uri=<cid:p9> names no body part of the message that could be read: its statement is unknown: counted as most restrictive' };

describe('AI-Pref uri=<cid:p9> naming no part of its message', () => {
  it('comparison: the other part states another identifier → unresolved (passes)', async () => {
    const r = await run('{"apt-o": {"export": "raw"}}');
    expect(r.reports[0]).toEqual(unresolved);
    expect(r.decisions.map((d) => [d.frame, d.decision, (d as { rule?: string }).rule])).toEqual([[4, 'drop', 'unresolved-apt']]);
  });

  it('the other part states apt-b itself → still unresolved, and said', async () => {
    const r = await run('{"apt-b": {"export": "raw"}}');
    expect(r.reports.filter((x) => x.frame === 1)).toEqual([unresolved]);
    expect(r.decisions.map((d) => [d.frame, d.decision, (d as { rule?: string }).rule])).toEqual([[4, 'drop', 'unresolved-apt']]);
  });
});
