/**
 * Found by a review of the policy file (SPEC §9), fixed since (src/policy/policy-file.ts,
 * vocabulary.ts durationOfNumber).
 *
 * Input: an `apts` entry giving a vocabulary key twice in different letter case:
 *   {"apts": {"a": {"export": "raw", "Export": "none"}}}   (JSON; the YAML twin the same)
 *
 * Was: accepted. validateApt reads both as `export` (key.toLowerCase()), buildStatement merges
 *   them as two parts of the statement: export "none" plus an `inconsistent-signaling` finding
 *   "parts disagree on export; most restrictive kept: \"none\"" — attributed to the policy file
 *   disagreeing with itself. `{"export": "raw", "EXPORT": "raw"}` passes without a word.
 *
 * Correct: refused like any key given twice: policy-file.ts's contract ("a JSON object giving a
 *   key twice" is refused; statement keys are matched case-insensitively, statement.ts
 *   StatementPart.params) — one line naming the file and the key path (SPEC §9),
 *   e.g. `policy.json: apts.a.Export: duplicate key (first as export)`.
 *   Severity: low — the strictest value is kept, but the file says two things about one key.
 *
 * Fix: src/policy/policy-file.ts validateApt: keep a Set of lower-cased vocabulary keys
 *   (VOCABULARY_KEYS and BINDING_KEYS) seen in the entry and refuse the second.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyError } from '../../../src/policy/policy-file.js';
import { buildStatement } from '../../../src/policy/statement.js';

function outcome(text: string): string {
  try {
    const policy = parsePolicy(text, 'policy.json');
    const { statement, findings } = buildStatement('a', [policy.statementPart('a')!]);
    return `accepted: export ${statement.export}; ${findings.map((f) => f.type).join(',')}`;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as Error).message;
  }
}

describe('a vocabulary key given twice in different case in one apts entry is refused', () => {
  it('control: once is fine', () => {
    expect(outcome('{"apts": {"a": {"Export": "none"}}}')).toBe('accepted: export none; ');
  });
  it('export and Export', () => {
    // was 'accepted: export none; inconsistent-signaling'
    expect(outcome('{"apts": {"a": {"export": "raw", "Export": "none"}}}')).toMatch(/^policy\.json: apts\.a\.Export: duplicate key/);
  });
  it('retention and RETENTION agreeing', () => {
    // was 'accepted: export null; '
    expect(outcome('{"apts": {"a": {"retention": "1h", "RETENTION": "1h"}}}')).toMatch(/^policy\.json: apts\.a\.RETENTION: duplicate key/);
  });
});
