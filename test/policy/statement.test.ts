import { describe, expect, it } from 'vitest';
import { AptRegistry } from '../../src/policy/apt-registry.js';
import { buildStatement, type StatementPart } from '../../src/policy/statement.js';

const header = (params: Record<string, unknown>, prefId = 'apt-1'): StatementPart => ({ prefId, source: 'ai-pref-header', origin: 'frame 3', params });
const sdp = (params: Record<string, unknown>, prefId = 'apt-1'): StatementPart => ({ prefId, source: 'sdp-aipref', params });
const file = (params: Record<string, unknown>, prefId = 'apt-1'): StatementPart => ({ prefId, source: 'policy-file', origin: 'p.json', params });

describe('buildStatement: merging the parts of one pref-id', () => {
  it.each([
    {
      name: 'header type and SDP export describe one user statement',
      parts: [header({ type: 'user' }), sdp({ export: 'raw' })],
      want: { status: 'resolved', type: 'user', export: 'raw', features: null, retentionSec: null },
      findings: [],
    },
    {
      name: 'disagreeing export: most restrictive wins',
      parts: [header({ export: 'raw' }), sdp({ export: 'aggregated-only' })],
      want: { export: 'aggregated-only' },
      findings: [['inconsistent-signaling', 'export']],
    },
    {
      name: 'disagreeing features: intersection',
      parts: [sdp({ features: 'media-metrics, rtcp-xr' }), file({ features: ['rtcp-xr', 'feedback'] })],
      want: { features: ['rtcp-xr'] },
      findings: [['inconsistent-signaling', 'features']],
    },
    {
      name: 'disagreeing retention: shortest',
      parts: [sdp({ retention: '24h' }), file({ retention: '15m' })],
      want: { retentionSec: 900 },
      findings: [['inconsistent-signaling', 'retention']],
    },
    {
      name: 'agreeing parts: no finding',
      parts: [sdp({ export: 'raw', retention: '90s' }), file({ export: 'raw', retention: 90 })],
      want: { export: 'raw', retentionSec: 90 },
      findings: [],
    },
    {
      name: 'parameter names are case-insensitive',
      parts: [header({ EXPORT: 'Aggregated-Only', Type: 'DOMAIN' })],
      want: { export: 'aggregated-only', type: 'domain' },
      findings: [],
    },
    {
      name: 'export=maybe from the wire reads as none and is reported',
      parts: [header({ export: 'maybe' })],
      want: { export: 'none', status: 'resolved' },
      findings: [['unknown-value', 'export']],
    },
    {
      name: 'unparsable retention reads as 0',
      parts: [sdp({ retention: 'forever' })],
      want: { retentionSec: 0 },
      findings: [['unknown-value', 'retention']],
    },
    {
      name: 'unknown feature grants nothing',
      parts: [sdp({ features: 'media-metrics,video', export: 'raw' })],
      want: { features: ['media-metrics'] },
      findings: [['unknown-value', 'features']],
    },
    {
      name: 'unknown type reads as a regulatory floor',
      parts: [header({ type: 'vendor', export: 'raw' })],
      want: { type: 'regulatory' },
      findings: [['unknown-value', 'type']],
    },
    {
      name: 'a bare header reference is unresolved and most restrictive',
      parts: [header({ scope: 'dialog', type: 'user' })],
      want: { status: 'unresolved', export: 'none', features: [], retentionSec: 0, type: 'user' },
      findings: [],
    },
    {
      name: 'an empty policy-file entry still resolves the id',
      parts: [file({})],
      want: { status: 'resolved', export: null },
      findings: [],
    },
  ])('$name', ({ parts, want, findings }) => {
    const built = buildStatement('apt-1', parts);
    expect(built.statement).toMatchObject(want);
    expect(built.findings.map((f) => [f.type, f.key])).toEqual(findings);
  });

  it('an inconsistency names both values and their sources', () => {
    const { findings } = buildStatement('apt-1', [header({ export: 'raw' }), sdp({ export: 'none' })]);
    expect(findings).toEqual([
      {
        type: 'inconsistent-signaling',
        apt: 'apt-1',
        key: 'export',
        values: [
          { value: 'raw', source: 'ai-pref-header', origin: 'frame 3' },
          { value: 'none', source: 'sdp-aipref' },
        ],
        detail: 'parts disagree on export; most restrictive kept: "none"',
      },
    ]);
  });

  it('keeps binding parameters apart and passes unknown keys through', () => {
    const { statement } = buildStatement('apt-1', [header({ scope: 'media', uri: 'https://x/y', 'x-purpose': 'qoe' }), file({ export: 'raw', 'ai-train': 'n' })]);
    expect(statement.binding).toEqual({ scope: 'media', uri: 'https://x/y' });
    expect(statement.extensions).toEqual({ 'x-purpose': 'qoe', 'ai-train': 'n' });
  });
});

describe('AptRegistry', () => {
  it('an unknown identifier is unresolved: export=none', () => {
    const registry = new AptRegistry();
    expect(registry.get('nobody')).toMatchObject({ status: 'unresolved', export: 'none', features: [], retentionSec: 0 });
  });

  it('identical re-delivery changes nothing and reports nothing', () => {
    const registry = new AptRegistry();
    expect(registry.deliver(header({ export: 'raw' }))).toEqual([]);
    expect(registry.deliver(sdp({ export: 'none' })).map((f) => f.type)).toEqual(['inconsistent-signaling']);
    const before = registry.get('apt-1');
    expect(registry.deliver(header({ EXPORT: 'raw' }))).toEqual([]);
    expect(registry.deliver(sdp({ export: 'none' }))).toEqual([]);
    expect(registry.get('apt-1')).toBe(before);
  });

  it('a newer version replaces the older; an older one is ignored', () => {
    const registry = new AptRegistry();
    registry.deliver(file({ type: 'user' }));
    registry.deliver(header({ version: '1', export: 'none' }));
    expect(registry.get('apt-1')).toMatchObject({ version: 1, export: 'none', type: 'user' });

    const replaced = registry.deliver(header({ version: '2', export: 'raw' }));
    expect(replaced.map((f) => f.type)).toEqual(['version-replaced']);
    // The versionless policy-file part stays; the version-1 header does not disagree any more.
    expect(registry.get('apt-1')).toMatchObject({ version: 2, export: 'raw', type: 'user' });

    const stale = registry.deliver(sdp({ version: 1, export: 'none' }));
    expect(stale.map((f) => f.type)).toEqual(['stale-version']);
    expect(registry.get('apt-1').export).toBe('raw');
  });

  it('lists an identifier as changed only after a delivery or failure that may change its statement', () => {
    const registry = new AptRegistry();
    registry.deliver(header({ version: '2', export: 'raw' }));
    expect(registry.takeChanged()).toEqual(['apt-1']);
    registry.deliver(header({ version: '2', export: 'raw' }));
    registry.deliver(sdp({ version: 1, export: 'none' }));
    expect(registry.takeChanged()).toEqual([]);
    registry.deliver(sdp({ version: 2, export: 'none' }));
    expect(registry.takeChanged()).toEqual(['apt-1']);
    registry.markIntegrityFailure('apt-1', 'bad-signature');
    expect(registry.takeChanged()).toEqual(['apt-1']);
    registry.markIntegrityFailure('apt-1', 'bad-signature');
    expect(registry.takeChanged()).toEqual([]);
  });

  it('an integrity failure makes the id most restrictive for good', () => {
    const registry = new AptRegistry();
    registry.deliver(file({ export: 'raw' }));
    expect(registry.markIntegrityFailure('apt-1', 'bad-signature')).toEqual([{ type: 'integrity-failure', apt: 'apt-1', detail: 'bad-signature' }]);
    expect(registry.markIntegrityFailure('apt-1', 'bad-signature')).toEqual([]);
    registry.deliver(sdp({ export: 'raw', retention: '1h' }));
    expect(registry.get('apt-1')).toMatchObject({ status: 'integrity-failure', export: 'none', reason: 'bad-signature' });
  });

  it('unknown values delivered from the wire are reported once', () => {
    const registry = new AptRegistry();
    expect(registry.deliver(header({ export: 'maybe' })).map((f) => [f.type, f.key])).toEqual([['unknown-value', 'export']]);
    expect(registry.deliver(file({ retention: '1h' }))).toEqual([]);
    expect(registry.get('apt-1')).toMatchObject({ export: 'none', retentionSec: 3600 });
  });
});

describe('AptRegistry: preloading and resolving sets', () => {
  it('resolves identifier sets by precedence, unknown ones as unresolved', () => {
    const registry = AptRegistry.withParts([
      file({ type: 'domain', export: 'aggregated-only' }, 'd'),
      file({ type: 'user', export: 'raw' }, 'u'),
    ]);
    expect(registry.resolve([])).toBeNull();
    expect(registry.resolve(['d', 'u', 'u'])).toMatchObject({ export: 'raw', apt: ['u'], overridden: ['d'] });
    expect(registry.resolve(['u', 'missing'])).toMatchObject({ export: 'none', apt: ['missing'] });
  });
});
