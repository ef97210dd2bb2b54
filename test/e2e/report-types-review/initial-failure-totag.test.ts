/**
 * Found by a review of the report types (SPEC §6), fixed since: an initial INVITE's failure is reported under the early dialog its To tag names (dialogs.ts rejectPending).
 *
 * Report review (SPEC §8 report `dialog`; brief: the right dialog, toTag once known, for an
 * initial INVITE's failure).
 *
 * Input: hand-built (calls-on-any-address.ts): frame 1 INVITE (Call-ID rb-call@10.0.0.1, From
 * tag ftag) offering audio mid "a" with a=aipref:mid apt-unk; frame 2 183 Session Progress with
 * To tag e1 and an SDP answer (a=aipref:mid apt-unk2); frame 3 A's SR (SSRC 1111, early media);
 * frame 4 `488 Not Acceptable Here` with To tag e1 and `Warning: 399 b.example "aipref"`.
 *
 * Was: frames 2 and 3 name the early dialog {"callId":"rb-call@10.0.0.1","fromTag":"ftag",
 *   "toTag":"e1"} (unresolved-apt for apt-unk2, and for SSRC 1111), but the refusal that ends
 *   that same early dialog is
 *   {"type":"scope-transitioned","ts":1767225600.4,"frame":4,"dialog":{"callId":
 *   "rb-call@10.0.0.1","fromTag":"ftag","toTag":""},"detail":"offer refused: 488 with Warning
 *   399 aipref; its changes are discarded"} — the To tag, known since frame 2 and carried by
 *   the 488 itself, is dropped.
 * Correct: "dialog":{"callId":"rb-call@10.0.0.1","fromTag":"ftag","toTag":"e1"} at frame 4: the
 *   report is about the early dialog e1 whose answer (in force for restrictions since frame 2)
 *   is discarded; SPEC §8 dialog = {callId, fromTag, toTag}, and the other reports of this call
 *   already name e1. (Without a provisional response, toTag "" may stand: the INVITE had no
 *   dialog yet — that variant is not asserted here; a 488's own To tag would do there too.)
 * Fix: src/signaling/dialogs.ts rejectPending (the 'offer-rejected' event, ~line 436), when it
 *   runs for the INVITE entry on the initial INVITE's failure: take `dialog` from the early
 *   dialog the failure's To tag names (idOf(that fork)) when there is one, not idOf(invite);
 *   src/pipeline/signaling-front.ts then reports ev.dialog as it does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, B, callSetup, replay, rtcp, sdp, sipMsg, sr } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import { audio } from '../explanations-review/helpers.js';
import { answer, callId, countsOf, policy } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe("an initial INVITE's refusal after an early dialog", () => {
  it('names the early dialog e1', async () => {
    const s = callSetup({ offer: sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-unk'])]), answer });
    const head = (status: string) => [`SIP/2.0 ${status}`, `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}-INVITE1`, `From: <sip:a@${A}>;tag=ftag`, `To: <sip:b@${B}>;tag=e1`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE'];
    const early = { src: B, dst: A, sport: 5060, dport: 5060, payload: sipMsg([...head('183 Session Progress'), `Contact: <sip:b@${B}:5060>`], sdp(B, [audio(5000, 2222, ['a=aipref:mid apt-unk2'])])) };
    const refused = { src: B, dst: A, sport: 5060, dport: 5060, payload: sipMsg([...head('488 Not Acceptable Here'), 'Warning: 399 b.example "aipref"'], null) };
    const r = await replay(ws, [s[0]!, early, rtcp(A, B, 4001, 5001, [sr(1111)]), refused], policy);
    const e1 = { callId, fromTag: 'ftag', toTag: 'e1' };
    expect(r.reports.map((x) => [x.type, x.frame, x.dialog])).toEqual([
      ['unresolved-apt', 1, { callId, fromTag: 'ftag', toTag: '' }],
      ['unresolved-apt', 2, e1],
      ['unresolved-apt', 3, e1],
      ['scope-transitioned', 4, e1],
    ]);
    expect(r.reports[3]).toEqual({ type: 'scope-transitioned', ts: 1767225600.4, frame: 4, dialog: e1, detail: 'offer refused: 488 with Warning 399 aipref; its changes are discarded' });
    expect(r.summary.reports).toEqual(countsOf(r.reports));
  });
});
