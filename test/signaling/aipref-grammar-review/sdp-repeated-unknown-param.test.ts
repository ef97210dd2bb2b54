/**
 * Found by a review of the AI-Pref and a=aipref grammar, fixed since: an unknown a=aipref parameter given twice keeps its first value, as the
 * header does (sdp-aipref.ts).
 *
 * Input: one call; the offer's session-level `a=aipref:session apt-s x-note=1 x-note=2` (an unknown
 * parameter given twice); policy apt-s = domain, export raw. One SR.
 *
 * Was: the export's pass-through `extensions` are {"apt-s":{"x-note":"2"}} (the LAST copy),
 * while the same statement as an AI-Pref header value `apt-s;scope=media;x-note=1;x-note=2`
 * exports {"apt-s":{"x-note":"1"}} (the first: ai-pref-header.ts "repeated ones too (the first
 * value is kept)", "as buildStatement keeps an unknown key's first").
 *
 * Correct: one statement, one reading across layers (SPEC §2/§3: everything said about one
 * pref-id is one statement; unknown keys are kept and passed through, never guessed at; RFC 4485
 * §4.4 unknown parameters ignored): the SDP line must pass through the same copy the header does,
 * the first: {"x-note":"1"}.
 *
 * Fix: src/signaling/sdp-aipref.ts parseAiPrefAttribute: for a parameter not in READ_PARAMS that
 * is already in `params`, skip the repeat (read its value to advance, do not overwrite) — both
 * for `name=value` words and bare flags.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseAiPrefAttribute } from '../../../src/signaling/sdp-aipref.js';
import { policyOf, Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sr } from '../../e2e/calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-s': { type: 'domain', export: 'raw', retention: '1h' } } });

describe('a=aipref: an unknown parameter given twice', () => {
  it('the parser keeps the first copy, as the AI-Pref header parser does', () => {
    expect(parseAiPrefAttribute('session apt-s x-note=1 x-note=2')).toEqual({ ok: true, scope: 'session', id: 'apt-s', params: { 'x-note': '1' } });
  });

  it('the export passes through the first copy', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a']], ['a=aipref:session apt-s x-note=1 x-note=2']);
    const r = await replay(ws, [...callSetup({ offer, answer: sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]) }), rtcp(A, B, 4001, 5001, [sr(11)])], POL);
    expect(r.exports.map((e) => e.extensions)).toEqual([{ 'apt-s': { 'x-note': '1' } }]);
  });
});
