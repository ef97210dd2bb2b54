/** Resolved preferences for enforcement tests, built through the real statement and precedence code. */
import { resolvePreferences, type ResolvedPreference } from '../../src/policy/precedence.js';
import { buildStatement } from '../../src/policy/statement.js';

export function pref(id: string, params: Record<string, unknown>): ResolvedPreference {
  const resolved = resolvePreferences([buildStatement(id, [{ prefId: id, source: 'policy-file', params }]).statement]);
  if (resolved === null) throw new Error('a statement always resolves');
  return resolved;
}
