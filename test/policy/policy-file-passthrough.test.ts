/**
 * SPEC §3: "Unknown keys are kept and passed through, never guessed at." README (The policy
 * file): "a statement's own keys under `apts` are open, kept and passed through (SPEC §3)".
 * own-property.ts exists because plain assignment of `__proto__` replaces an object's prototype
 * instead of keeping the key; validateApt (policy-file.ts) assigned `params[key] = value` (now setOwn).
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { buildStatement } from '../../src/policy/statement.js';

describe('an apts entry keeps every key it does not know', () => {
  it('control: an ordinary unknown key is kept and reaches the statement', () => {
    const policy = parsePolicy('{"apts": {"a": {"export": "raw", "x-tier": {"level": "gold"}}}}', 'p.json');
    const part = policy.statementPart('a')!;
    expect(Object.keys(part.params)).toEqual(['export', 'x-tier']);
    expect(buildStatement('a', [part]).statement.extensions).toEqual({ 'x-tier': { level: 'gold' } });
  });

  it('a key named __proto__ is kept as an own key, not turned into the params object\'s prototype', () => {
    const policy = parsePolicy('{"apts": {"a": {"export": "raw", "__proto__": {"level": "gold"}}}}', 'p.json');
    const params = policy.apts.get('a')!;
    expect(Object.keys(params)).toEqual(['export', '__proto__']);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(Object.keys(buildStatement('a', [policy.statementPart('a')!]).statement.extensions)).toEqual(['__proto__']);
  });
});
