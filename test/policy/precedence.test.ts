import { describe, expect, it } from 'vitest';
import { combineRestrictive, resolvePreferences } from '../../src/policy/precedence.js';
import { type AptStatement, buildStatement, mostRestrictiveStatement } from '../../src/policy/statement.js';

const apt = (id: string, params: Record<string, unknown>): AptStatement =>
  buildStatement(id, [{ prefId: id, source: 'policy-file', params }]).statement;

describe('resolvePreferences (SPEC §3)', () => {
  it('no statements → null', () => {
    expect(resolvePreferences([])).toBeNull();
  });

  it.each([
    {
      name: 'one statement decides alone',
      statements: [apt('u', { type: 'user', export: 'raw', retention: '1h' })],
      want: { export: 'raw', features: null, retentionSec: 3600, apt: ['u'] },
      rules: { export: 'single-statement', features: 'not-stated', retention: 'single-statement' },
    },
    {
      name: 'user overrides a domain default (relaxing it)',
      statements: [apt('d', { type: 'domain', export: 'aggregated-only', retention: '24h' }), apt('u', { type: 'user', export: 'raw' })],
      // the domain's retention still applies: the user said nothing about it
      want: { export: 'raw', retentionSec: 86400, apt: ['d', 'u'], overridden: ['d'] },
      rules: { export: 'user-overrides-domain', retention: 'single-statement' },
    },
    {
      name: 'user overrides a domain default (tightening it)',
      statements: [apt('d', { type: 'domain', export: 'raw' }), apt('u', { type: 'user', export: 'none' })],
      want: { export: 'none', apt: ['u'] },
      rules: { export: 'user-overrides-domain' },
    },
    {
      name: 'regulatory is a floor a user cannot relax',
      statements: [apt('r', { type: 'regulatory', export: 'aggregated-only' }), apt('u', { type: 'user', export: 'raw' })],
      want: { export: 'aggregated-only', apt: ['r'] },
      rules: { export: 'regulatory-floor' },
    },
    {
      name: 'regulatory floor does not loosen a stricter user',
      statements: [apt('r', { type: 'regulatory', export: 'aggregated-only', retention: '7d' }), apt('u', { type: 'user', export: 'none', retention: '1h' })],
      want: { export: 'none', retentionSec: 3600, apt: ['u'] },
      rules: { export: 'strictest-wins', retention: 'strictest-wins' },
    },
    {
      name: 'same rank: most restrictive of each key',
      statements: [
        apt('u1', { type: 'user', export: 'raw', features: ['media-metrics', 'rtcp-xr'], retention: '24h' }),
        apt('u2', { type: 'user', export: 'aggregated-only', features: ['rtcp-xr', 'feedback'], retention: '7d' }),
      ],
      want: { export: 'aggregated-only', features: ['rtcp-xr'], retentionSec: 86400 },
      rules: { export: 'strictest-wins', features: 'strictest-wins', retention: 'strictest-wins' },
    },
    {
      name: 'two domain statements: strictest wins',
      statements: [apt('d1', { type: 'domain', export: 'raw' }), apt('d2', { type: 'domain', export: 'none' })],
      want: { export: 'none', apt: ['d2'] },
      rules: { export: 'strictest-wins' },
    },
    {
      name: 'an untyped statement is combined, never overridden',
      statements: [apt('x', { export: 'aggregated-only' }), apt('u', { type: 'user', export: 'raw' })],
      want: { export: 'aggregated-only', apt: ['x'] },
      rules: { export: 'strictest-wins' },
    },
    {
      name: 'an unresolved APT is most restrictive and cannot be overridden',
      statements: [mostRestrictiveStatement('gone', 'unresolved', 'uri'), apt('u', { type: 'user', export: 'raw' })],
      want: { export: 'none', features: [], retentionSec: 0, apt: ['gone'] },
      rules: { export: 'unresolved-apt', features: 'unresolved-apt', retention: 'unresolved-apt' },
    },
    {
      name: 'an integrity failure is most restrictive',
      statements: [apt('u', { type: 'user', export: 'raw' }), mostRestrictiveStatement('signed', 'integrity-failure', 'expired')],
      want: { export: 'none', apt: ['signed'] },
      rules: { export: 'integrity-failure' },
    },
    {
      name: 'nobody states export: none (absence is not consent)',
      statements: [apt('d', { type: 'domain', retention: '15m' })],
      want: { export: 'none', retentionSec: 900, apt: ['d'] },
      rules: { export: 'not-stated', retention: 'single-statement' },
    },
  ])('$name', ({ statements, want, rules }) => {
    const resolved = resolvePreferences(statements)!;
    expect(resolved).toMatchObject(want);
    for (const [key, rule] of Object.entries(rules)) {
      expect(resolved.decidedBy[key as keyof typeof resolved.decidedBy].rule, key).toBe(rule);
    }
  });

  it('passes unknown keys through, by APT identifier, whatever order the statements come in', () => {
    const resolved = resolvePreferences([apt('u', { type: 'user', export: 'raw', 'ai-train': 'n' })])!;
    expect(resolved.extensions).toEqual({ u: { 'ai-train': 'n' } });
    const gold = apt('b-gold', { type: 'domain', export: 'raw', tier: 'gold' });
    const bronze = apt('a-bronze', { type: 'domain', export: 'raw', tier: 'bronze' });
    for (const order of [[gold, bronze], [bronze, gold]]) {
      const both = resolvePreferences(order)!;
      // both kept, as stated, never one picked; the identifier an APT that decided nothing is left out
      expect(JSON.stringify(both.extensions)).toBe('{"a-bronze":{"tier":"bronze"},"b-gold":{"tier":"gold"}}');
    }
    const withNone = resolvePreferences([apt('c', { type: 'domain', export: 'raw' }), gold])!;
    expect(withNone.extensions).toEqual({ 'b-gold': { tier: 'gold' } });
  });
});

describe('combineRestrictive', () => {
  const raw = resolvePreferences([apt('a', { type: 'user', export: 'raw', features: ['media-metrics', 'sdes'], retention: '24h' })])!;
  const agg = resolvePreferences([apt('b', { type: 'domain', export: 'aggregated-only', features: ['media-metrics', 'rtcp-xr'] })])!;

  it.each([
    ['raw + aggregated-only', raw, agg, { export: 'aggregated-only', features: ['media-metrics'], retentionSec: 86400, apt: ['a', 'b'] }],
    ['is symmetric in values', agg, raw, { export: 'aggregated-only', features: ['media-metrics'], retentionSec: 86400, apt: ['b', 'a'] }],
    ['with itself', raw, raw, { export: 'raw', features: ['media-metrics', 'sdes'], retentionSec: 86400, apt: ['a'] }],
  ] as const)('%s', (_name, a, b, want) => {
    expect(combineRestrictive(a, b)).toMatchObject(want);
  });

  it('names the stricter side as the decider', () => {
    const both = combineRestrictive(raw, agg);
    expect(both.decidedBy.export.apt).toEqual(['b']);
    expect(both.decidedBy.retention.apt).toEqual(['a']);
    expect(both.decidedBy.features).toEqual({ apt: ['a', 'b'], rule: 'strictest-wins' });
  });
});
