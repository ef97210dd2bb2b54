/**
 * Found by a review of the AI-Pref and a=aipref grammar, fixed since: a pref-id or parameter value broken by a byte its grammar has not is kept
 * whole as unreadable, never as its prefix (ai-pref-header.ts parseValue, readParams).
 *
 * Input: two calls in one capture. Call c1's INVITE carries `AI-Pref: aptä;scope=dialog` (a
 * non-ASCII byte inside an unquoted pref-id: not a token, seed §5.1 `pref-id = token /
 * quoted-string`). Call c2's INVITE carries a well-formed `AI-Pref: apt;scope=dialog`; the policy
 * file says `apt` = domain, export raw. One SR of c2's stream.
 *
 * Was: parseAiPrefHeader reads the token run `apt`, stops at `ä` and keeps the PREFIX `apt` as a
 * garbled identifier: c1 reports `malformed-input` "... (apt kept, unresolved)" and
 * `unresolved-apt` apt ["apt"]; because a garbled identifier is unresolved for the whole capture,
 * c2 — which never sent anything malformed — gets `unresolved-apt` apt ["apt"] ("its AI-Pref
 * value breaks the grammar after the identifier") and its SR is `22 drop export-none [apt]`.
 *
 * Correct: `apt` was never signaled by c1; the garbled value's identifier is `aptä` (or none: the
 * pref-id itself breaks the grammar, SPEC §6 malformed-input). Reports name the identifiers that
 * were signaled (SPEC §6, seed §8); c2's own `apt` resolves through the policy file (SPEC §3,
 * §9), so its SR is exported raw: `22 export raw-allowed [apt]`, and no unresolved-apt for c2.
 *
 * Fix: src/signaling/ai-pref-header.ts, parseValue/readParams: when the character right after the
 * pref-id token is neither WSP, ';' nor the value end, the pref-id is broken — report
 * `bad-pref-id` and keep either nothing or the whole run up to the next ';'/WSP (`aptä`), never a
 * prefix of it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseAiPrefHeader } from '../../../src/signaling/ai-pref-header.js';
import { policyOf, Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sr } from '../../e2e/calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { apt: { type: 'domain', export: 'raw', retention: '1h' } } });

describe('a non-token byte inside an unquoted pref-id', () => {
  it('the parser keeps no prefix of the written identifier', () => {
    const r = parseAiPrefHeader('aptä;scope=dialog');
    expect(r.errors).toHaveLength(1);
    expect(r.values.map((v) => v.id)).not.toContain('apt');
  });

  it("another call's well-formed `apt` is not poisoned by c1's `aptä`", async () => {
    const c1 = callSetup({ callId: 'c1', inviteHeaders: ['AI-Pref: aptä;scope=dialog'], offer: sdp(A, [['m=audio 4000 RTP/AVP 0']]), answer: sdp(B, [['m=audio 5000 RTP/AVP 0']]) });
    const c2 = callSetup({ callId: 'c2', inviteHeaders: ['AI-Pref: apt;scope=dialog'], offer: sdp('10.0.0.3', [['m=audio 6000 RTP/AVP 0']]), answer: sdp('10.0.0.4', [['m=audio 7000 RTP/AVP 0']]) });
    const r = await replay(ws, [...c1, ...c2, rtcp('10.0.0.3', '10.0.0.4', 6001, 7001, [sr(22)])], POL);
    expect(r.decisions.map((d) => `${d.ssrc} ${d.decision} ${d.reason} [${d.apt}]`)).toEqual(['22 export raw-allowed [apt]']);
    expect(r.reports.filter((x) => x.type === 'unresolved-apt' && x.dialog?.callId === 'c2')).toEqual([]);
    // c1's reports never name an identifier c1 did not send
    expect(r.reports.filter((x) => x.dialog?.callId === 'c1' && (x.apt ?? []).includes('apt'))).toEqual([]);
  });
});

describe('a parameter value broken by a non-ASCII byte', () => {
  it('scope=diälog is no scope "di": the value breaks at the byte', () => {
    const r = parseAiPrefHeader('apt;scope=diälog');
    expect(r.errors.map((e) => e.reason)).toEqual(['bad-param-value']);
    expect(r.values.map((v) => [v.id, v.scope, v.garbled])).toEqual([['apt', null, true]]);
  });
});
