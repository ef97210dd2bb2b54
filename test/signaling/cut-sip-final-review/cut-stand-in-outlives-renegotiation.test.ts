/**
 * Found by a sweep review of snap-length-cut SIP, fixed since: the stand-in for a body cut before any m-section is added beside the party's AI-Pref values, not in their place, and the party's next offer or answer takes its place (src/signaling/offer-answer.ts withCutStandIn, withoutCutStandIn).
 */
/**
 * The stand-in for a body the snap length cut before any m-section (an AI-Pref value of session
 * scope, `(lines cut by the capture's snap length)`) outlives every later whole offer/answer: the
 * call stays `drop` to its end although a whole re-INVITE and its 200 OK replaced the SDP the
 * cut body carried.
 *
 * Input: the call of ./sweep-lib.ts (INVITE/183/PRACK/200, re-INVITE apt-agg, UPDATE offer
 *   `a=aipref:mid apt-none` + 200, SR 16, then a whole re-INVITE (CSeq 5, `a=aipref:mid apt-raw`),
 *   its 200 OK and ACK, SR 20 (A) and SR 21 (B)). Policy: apt-raw/apt-agg/apt-none (user).
 *   The UPDATE's record (or the 200 OK to it) is cut by the capture's snap length right before
 *   its `m=audio` line (session lines captured, no m-section). replayCapture, 0 workers.
 * Was: uncut: SR 16 drop (apt-none), SR 20 and 21 `export raw-allowed` (the re-INVITE's
 *   apt-raw replaced the UPDATE's apt-none, a `scope-removed` at frame 18). Cut: SR 16 drop
 *   (right), but SR 20 and 21 `drop export-none` with `unresolved-apt`: dialogs.ts parseContent
 *   puts cutBodyValue() into the message's AI-Pref list, which — unlike an SDP — is not replaced
 *   by a later offer/answer without an AI-Pref header; it stays in force for the rest of the
 *   call. (It also replaces the dialog's own AI-Pref list: frame 14 reports
 *   `scope-removed header-value-dropped` for the INVITE's `AI-Pref: apt-raw;scope=dialog`,
 *   which no message dropped.) The same happens for a cut INVITE, 183, PRACK, 200 PRACK,
 *   re-INVITE or its 200 at that position: every later SR drops.
 * Correct: SPEC §5 — "Telemetry before the change is judged by the old scope, after it by the
 *   new one"; what the lost lines said was part of that SDP body (an SDP offer/answer, RFC 3264
 *   §8: a new offer/answer replaces the session description wholly), so the whole re-INVITE
 *   and 200 OK replace it as they replace the uncut UPDATE's apt-none: SR 20 and 21 are judged
 *   as in the uncut capture (`export raw-allowed`). The stand-in of a cut INVITE's header
 *   section's own AI-Pref values is unaffected (the headers were read).
 * Fix: src/signaling/dialogs.ts parseContent / the offer-answer state: carry the cut stand-in
 *   as part of the message's session description (e.g. an empty SDP whose session-level
 *   a=aipref is the cut identifier, governing every m-section the dialog has, not "no SDP"), or
 *   as a separate per-offer marker dropped when the next offer/answer completes; do not add it
 *   to (and so replace) the message's AI-Pref header list.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { CALL, msgs, run } from './sweep-lib.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a body cut before its m-section, then a whole re-INVITE offer/answer', () => {
  for (const name of ['UPDATE', '200-UPDATE']) {
    it(`${name} cut before m=: later SRs judged by the re-INVITE's scope as uncut`, async () => {
      const whole = await run(ws, 'whole.pcap', msgs());
      expect(whole.decisions.slice(-3)).toEqual(['16 drop export-none', '20 export raw-allowed', '21 export raw-allowed']);
      const i = CALL.findIndex((c) => c.name === name);
      const cut = await run(ws, `${name}.pcap`, msgs(i, Buffer.from(CALL[i]!.msg.payload).indexOf('m=audio')));
      expect(cut.reports.some((r) => r.type === 'malformed-input' && r.frame === i + 1 && /snaplen-cut/.test(r.detail ?? ''))).toBe(true);
      expect(cut.decisions.slice(-3)).toEqual(['16 drop export-none', '20 export raw-allowed', '21 export raw-allowed']);
    });
  }
});
