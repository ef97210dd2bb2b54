/**
 * Found by a review of round 17's folding of statement parts, fixed since: a part's version is its first member named version in any case everywhere (buildStatement reads it as partVersion does), and a fold writes `version` as the partVersion it is filed under (src/policy/statement.ts buildStatement, src/policy/apt-registry.ts foldInto).
 */
/**
 * Input: AptRegistry gets body statements of `apt-x` (SPEC §2.2; JSON member names are the
 * sender's): first `{"export":"none","version":1,"Version":5}`, then ten
 * `{"export":"none","version":1,"e<i>":1}`, then a newer one `{"export":"raw","version":3}`.
 *
 * Was: the registry judges a part's version by partVersion (the first member named version in
 * any case: 1), so all eleven are version 1 and are folded together; but foldInto writes the
 * folded part's `version` from buildStatement, which takes the highest of every version member
 * (5). The folded part is then version 5: the version-3 part no longer replaces it (replaces():
 * 5 < 3 is false), so the statement keeps the folded export=none (and extension e2, version 5)
 * where, built from the parts the version rule keeps (only the version-3 part — every version-1
 * part replaced, version-replaced reported), it is export=raw, version 3. Later version-1 parts
 * do not find that fold either (partVersion 5 ≠ 1) and start another.
 *
 * Correct: seed §3 / SPEC §3 `version`: "a newer version of the same pref-id replaces the
 * older" — the parts the registry held as version 1 are replaced by version 3 whether folded or
 * not (the fix's claim: "versions respected"); statement = buildStatement([version-3 part]).
 *
 * Fix: src/policy/apt-registry.ts foldInto: write the folded part's `version` as the
 * partVersion the group was filed under (the `version` foldOldest matched on), not
 * buildStatement's maximum; or make partVersion and buildStatement read the same member.
 */
import { describe, expect, it } from 'vitest';
import { AptRegistry } from '../../../src/policy/apt-registry.js';
import { buildStatement, type StatementPart } from '../../../src/policy/statement.js';

describe('folded parts whose version members differ in case', () => {
  it('are replaced by a newer version as the parts were', () => {
    const registry = new AptRegistry();
    registry.deliver({ prefId: 'apt-x', source: 'body', origin: 'frame 1', params: { export: 'none', version: 1, Version: 5 } });
    for (let i = 2; i <= 11; i++) registry.deliver({ prefId: 'apt-x', source: 'body', origin: `frame ${i}`, params: { export: 'none', version: 1, [`e${i}`]: 1 } });
    const newer: StatementPart = { prefId: 'apt-x', source: 'body', origin: 'frame 12', params: { export: 'raw', version: 3 } };
    const findings = registry.deliver(newer);
    expect(findings.map((f) => f.type)).toContain('version-replaced');
    expect(registry.get('apt-x')).toEqual(buildStatement('apt-x', [newer]).statement);
    expect(registry.get('apt-x').export).toBe('raw');
  });
});
