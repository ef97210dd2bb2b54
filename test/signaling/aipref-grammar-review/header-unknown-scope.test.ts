/**
 * Found by a review of the AI-Pref and a=aipref grammar, fixed since: an AI-Pref value naming a scope other than dialog, media or session is
 * unreadable (reported, most restrictive) and applies to every m-section (ai-pref-header.ts).
 *
 * Input: one call; the INVITE carries `AI-Pref: apt-s;scope=galaxy` (a scope kind neither the seed
 * §5.1.1 nor SPEC §2 names); the SDP carries no a=aipref; the policy file says apt-s = domain,
 * export raw. One SR of the audio stream.
 *
 * Was: the value is taken as a dialog-level value (negotiated-scope.ts: anything but
 * media/session counts as `header-dialog`), no error or report about the scope; reports
 * `implicit-binding` "dialog-level AI-Pref applied: its m-section a names no identifier" and the
 * SR is `11 export raw-allowed [apt-s]`.
 *
 * Correct: SPEC §2.5 — only the dialog's AI-Pref values with `scope=dialog` (README: or no scope)
 * are the dialog-level fallback. A value whose scope cannot be read governs nothing that can be
 * named; it is not consent (SPEC §3 "absence is not consent"), and the project reads an unknown
 * SDP scope (`a=aipref:media …`) as unresolved/most restrictive where it stands
 * (sdp-aipref.ts unknown-scope). So the SR must not be exported: decision `drop`, and the value
 * reported (malformed-input / unresolved-apt), not applied as a dialog-level `implicit-binding`.
 *
 * Fix: src/signaling/ai-pref-header.ts applyParam (scope): check the token against the known
 * kinds (dialog, media, session) and mark an unknown one like the SDP reader does (garbled: kept,
 * unresolved, reported); or src/signaling/negotiated-scope.ts buildNegotiatedScope: only
 * `scope === null || scope === 'dialog'` is header-dialog.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sr } from '../../e2e/calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-s': { type: 'domain', export: 'raw', retention: '1h' } } });

describe('AI-Pref value with an unknown scope kind', () => {
  it('scope=galaxy is not taken for a dialog-level raw export', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
    const r = await replay(ws, [...callSetup({ inviteHeaders: ['AI-Pref: apt-s;scope=galaxy'], offer, answer }), rtcp(A, B, 4001, 5001, [sr(11)])], POL);
    expect(r.decisions.map((d) => `${d.ssrc} ${d.decision}`)).toEqual(['11 drop']);
    expect(r.reports.filter((x) => x.type === 'implicit-binding')).toEqual([]);
    expect(r.exports).toEqual([]);
  });
});
