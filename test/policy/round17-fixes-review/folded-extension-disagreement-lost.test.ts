/**
 * Found by a review of round 17's folding of statement parts, fixed since: a member left out of a fold because a part between states it first is added to the fold's `disputed` when it says otherwise, and buildStatement reports a folded part's disputed keys whichever part states them (src/policy/apt-registry.ts foldInto/saysOtherwise, src/policy/statement.ts buildStatement).
 */
/**
 * Input: AptRegistry gets, for `apt-x`: a body statement `{"export":"raw"}` (frame 1), an AI-Pref
 * header part `trace=1` (frame 2), a body statement `{"export":"raw","trace":"2"}` (frame 3) — the
 * two disagree on the extension member `trace`: reported —, then body statements
 * `{"export":"raw","e<i>":1}` (frames 4..11, one member each) so that the oldest are folded.
 *
 * Was: frame 3 is folded into frame 1's fold (same source and version); foldInto drops its
 * `trace` because a part between them (frame 2) states `trace` first ("a key the first part
 * stating it decides ... taken from part only if no part between states it first"). The
 * statement stays the same (trace=1 kept), but the disagreement is gone:
 * registry.disagreements('apt-x') no longer has `trace`, so a later call naming apt-x (and
 * tellReloadDisagreements after a policy reload) is never told of it — built from every part
 * it is still there.
 *
 * Correct: SPEC §3/§6 inconsistent-signaling for parts that disagree; the fold's claim:
 * "disagreements are still reported as before" — disagreements('apt-x') keys = those of
 * buildStatement over every part (trace).
 *
 * Fix: src/policy/apt-registry.ts foldInto: when `part`'s value of a first-decides key is
 * skipped because a part between states it, and the values differ, add the key to the folded
 * part's `disputed` (buildStatement then keeps reporting it), as is done for keys the two folded
 * parts disagree on. The same holds for `policy`.
 */
import { describe, expect, it } from 'vitest';
import { AptRegistry } from '../../../src/policy/apt-registry.js';
import { buildStatement, type StatementPart } from '../../../src/policy/statement.js';

describe('an extension member two sources disagree on, the later part folded past the other', () => {
  it('is still found in disagreement', () => {
    const parts: StatementPart[] = [
      { prefId: 'apt-x', source: 'body', origin: 'frame 1', params: { export: 'raw' } },
      { prefId: 'apt-x', source: 'ai-pref-header', origin: 'frame 2', params: { trace: '1' } },
      { prefId: 'apt-x', source: 'body', origin: 'frame 3', params: { export: 'raw', trace: '2' } },
    ];
    for (let i = 4; i <= 11; i++) parts.push({ prefId: 'apt-x', source: 'body', origin: `frame ${i}`, params: { export: 'raw', [`e${i}`]: 1 } });
    const registry = new AptRegistry();
    const keys = (fs: { type: string; key?: string }[]) => [...new Set(fs.filter((f) => f.type === 'inconsistent-signaling').map((f) => f.key))].sort();
    for (const p of parts) registry.deliver(p);
    expect(keys(buildStatement('apt-x', parts).findings)).toEqual(['trace']);
    expect(registry.get('apt-x')).toEqual(buildStatement('apt-x', parts).statement);
    expect(keys(registry.disagreements('apt-x'))).toEqual(['trace']);
  });
});
