/**
 * Found by a review of round 17's folding of statement parts, fixed since: a fold takes policy, binding keys and extension members from its parts by the first-stating rule, not from their (possibly unresolved) statement: policy first-wins and its disagreement stay (src/policy/apt-registry.ts foldInto).
 */
/**
 * Input: AptRegistry gets eleven unsigned AI-Pref header parts of `apt-x`
 * (`AI-Pref: apt-x;policy=first-wins`, then nine values each with one extension parameter of its
 * own `e<i>=1` — none states export, features or retention —, then
 * `AI-Pref: apt-x;policy=strictest-wins;export=raw`).
 *
 * Was: once past UNFOLDED_PARTS the first two parts are folded; foldInto builds the statement
 * of the two (buildStatement) and takes `policy` from it — but that statement is `unresolved`
 * (header parts with no export/features/retention), and buildStatement's unresolved branch
 * returns `policy: null` (mostRestrictiveStatement), so the folded part has no `policy`: the
 * `policy=first-wins` reading is gone. The statement then says `policy: strictest-wins` (built
 * from every part: `first-wins`, the first kept) and the policy disagreement between the first
 * and the last part is no longer found: registry.disagreements('apt-x') is empty, the last
 * delivery reports no inconsistent-signaling (a call naming apt-x is never told).
 *
 * Correct: SPEC §3 ("where two parts disagree on a key ... inconsistent-signaling is reported";
 * `policy` is a key of the vocabulary) and the fold's claim (same statement, disagreements still
 * found): policy first-wins, one inconsistent-signaling (policy).
 *
 * Fix: src/policy/apt-registry.ts foldInto: read the keys from the readings, not from a
 * statement that may be unresolved — e.g. take `policy` from the first part of `both` stating it
 * (or have buildStatement keep `policy: policyValue` in its unresolved branch as it keeps type,
 * version, binding and extensions).
 */
import { describe, expect, it } from 'vitest';
import { AptRegistry } from '../../../src/policy/apt-registry.js';
import type { PolicyFinding } from '../../../src/policy/findings.js';
import { buildStatement, type StatementPart } from '../../../src/policy/statement.js';

describe('folded header parts that state no export, features or retention', () => {
  it('keep their policy: the statement and the disagreement stay', () => {
    const parts: StatementPart[] = [{ prefId: 'apt-x', source: 'ai-pref-header', origin: 'frame 1', params: { policy: 'first-wins' } }];
    for (let i = 2; i <= 10; i++) parts.push({ prefId: 'apt-x', source: 'ai-pref-header', origin: `frame ${i}`, params: { [`e${i}`]: '1' } });
    const last: StatementPart = { prefId: 'apt-x', source: 'ai-pref-header', origin: 'frame 11', params: { policy: 'strictest-wins', export: 'raw' } };
    const registry = new AptRegistry();
    for (const p of parts) registry.deliver(p);
    const findings: PolicyFinding[] = registry.deliver(last);
    const reference = buildStatement('apt-x', [...parts, last]);
    expect(reference.statement.policy).toBe('first-wins');
    expect(registry.get('apt-x').policy).toBe('first-wins');
    expect(findings.filter((f) => f.type === 'inconsistent-signaling').map((f) => f.key)).toEqual(['policy']);
    expect(registry.disagreements('apt-x').map((f) => f.key)).toEqual(['policy']);
  });
});
