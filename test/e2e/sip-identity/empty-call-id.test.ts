/**
 * Found by a review of SIP dialog identity, fixed since: an empty Call-ID is a missing one.
 *
 * Input: one UDP call A → B (INVITE with `a=aipref:session apt-raw`, 200, ACK, A's SR at frame
 * 4, BYE, 200, SR at frame 7) whose every message carries an empty Call-ID: `Call-ID:` (and,
 * second case, the compact `i:`) with nothing after the colon.
 * Was: the message is taken as a call whose Call-ID is the empty string: a dialog is made,
 * frame 4 is `export raw-allowed [apt-raw]` with `"dialog":{"callId":"","fromTag":"ft1","toTag":"tt1"}`,
 * the binding table names Call-ID "", and nothing is reported (malformed 0).
 * Correct: RFC 3261 §25.1 `callid = word [ "@" word ]`, `word = 1*(…)`: an empty Call-ID is not a
 * Call-ID; the message is malformed exactly as one without the header, which the enforcer
 * reports (`malformed-input`, "missing-call-id", one per frame) and leaves out of every dialog.
 * SPEC §6/§8: malformed input is reported with its frame; a dialog identifier in an export is
 * what the signaling carried, and it carried none. So: one malformed-input for each SIP frame
 * (1, 2, 3, 5, 6), no export, both SRs `drop no-preference` (as with the header absent).
 * Fix: src/signaling/sip-message.ts readWellKnownHeaders — `if (callId) m.callId = callId.value`
 * accepts ''; require a non-empty value (ideally the `word ["@" word]` grammar: no whitespace)
 * and report 'missing-call-id' (or a 'bad-call-id') otherwise, leaving m.callId null.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { callOf, PLAIN } from './call-shapes.js';
import { decided, run } from './identity-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an empty Call-ID', () => {
  for (const line of ['Call-ID:', 'i: ']) {
    it(`\`${line}\` is malformed like a missing Call-ID, never a dialog with Call-ID ""`, async () => {
      const o = await run(ws, callOf({ ...PLAIN, callId: line }));
      expect(o.reports.filter((r) => r.type === 'malformed-input').map((r) => r.frame)).toEqual([1, 2, 3, 5, 6]);
      expect(o.exports).toEqual([]);
      expect(o.bindings.filter((b) => b.dialog !== null)).toEqual([]);
      expect(decided(o)).toEqual(['4 drop no-preference []', '7 drop no-preference []']);
    });
  }
});
