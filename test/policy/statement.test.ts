import { describe, expect, it } from 'vitest';
import { AptRegistry } from '../../src/policy/apt-registry.js';
import { buildStatement, type StatementPart, stricterStatement } from '../../src/policy/statement.js';

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
    {
      // String(["raw"]) is "raw": a list where a word belongs was read as that word
      name: 'a body statement giving export, type or policy as a list (not a word) reads them as unknown',
      parts: [{ prefId: 'apt-1', source: 'body' as const, origin: 'frame 4', params: { export: ['raw'], type: ['user'], policy: ['strictest-wins'] } }],
      want: { status: 'resolved', export: 'none', type: 'regulatory' },
      findings: [['unknown-value', 'export'], ['unknown-value', 'type'], ['unknown-value', 'policy']],
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

  it("an unsigned newer version never undoes the operator's or a signed statement: it replaces unsigned versions only, and merges", () => {
    const jws = (params: Record<string, unknown>): StatementPart => ({ prefId: 'apt-1', source: 'jws', origin: 'frame 4', params });
    const registry = new AptRegistry();
    registry.deliver(file({ type: 'user', version: 1, export: 'none' }));
    registry.deliver(header({ version: '1', export: 'none' }));
    const relaxing = registry.deliver(header({ version: '9', export: 'raw', retention: '1h' }));
    expect(relaxing.map((f) => f.type)).toContain('version-replaced');
    // the unsigned version 1 went, the file's version 1 stays: the most restrictive value wins
    expect(registry.get('apt-1')).toMatchObject({ export: 'none' });
    // a signed statement is not stale next to the caller's higher number, nor undone by it
    const signed = registry.deliver(jws({ version: 2, export: 'aggregated-only', retention: '1h' }));
    expect(signed.map((f) => f.type)).toContain('version-replaced');
    expect(registry.get('apt-1')).toMatchObject({ export: 'aggregated-only' });
    expect(registry.deliver(header({ version: '10', export: 'raw', retention: '1h' })).map((f) => f.type)).toContain('version-replaced');
    expect(registry.get('apt-1')).toMatchObject({ export: 'aggregated-only' });
    // an older signed version is stale against the signed one held
    expect(registry.deliver(jws({ version: 1, export: 'raw' })).map((f) => f.type)).toEqual(['stale-version']);
  });

  it('a vouched-for newer version replaces every older one; an unsigned one over a vouched-for version replaces nothing, it merges', () => {
    const jws = (params: Record<string, unknown>): StatementPart => ({ prefId: 'apt-1', source: 'jws', origin: 'frame 4', params });
    const signedOverUnsigned = new AptRegistry();
    signedOverUnsigned.deliver(header({ version: '5', export: 'none' }));
    expect(signedOverUnsigned.deliver(jws({ version: 6, export: 'raw', retention: '1h' })).map((f) => f.type)).toEqual(['version-replaced']);
    expect(signedOverUnsigned.get('apt-1')).toMatchObject({ export: 'raw' });

    const unsignedOverFile = new AptRegistry();
    unsignedOverFile.deliver(file({ version: 1, export: 'none' }));
    const merged = unsignedOverFile.deliver(header({ version: '9', export: 'raw' }));
    expect(merged.map((f) => f.type)).toEqual(['inconsistent-signaling']);
    expect(unsignedOverFile.get('apt-1')).toMatchObject({ export: 'none' });
  });

  it("a statement fetched for a uri= handle is no better than an unsigned part: its newer version does not undo the operator's", () => {
    // live, the caller chooses the handle's address: what it serves vouches for nothing
    const fetched = (params: Record<string, unknown>): StatementPart => ({ prefId: 'apt-1', source: 'uri-fetched', origin: 'frame 3 https://prefs.example/apt-1', params });
    const registry = new AptRegistry();
    registry.deliver(file({ version: 1, export: 'none' }));
    expect(registry.deliver(fetched({ version: 2, export: 'raw' })).map((f) => f.type)).not.toContain('version-replaced');
    expect(registry.get('apt-1')).toMatchObject({ status: 'resolved', export: 'none' });
    // on its own, a fetched statement still resolves its identifier
    const alone = new AptRegistry();
    alone.deliver(fetched({}));
    expect(alone.get('apt-1')).toMatchObject({ status: 'resolved', sources: ['uri-fetched'] });
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

describe('AptRegistry: parts an offer brings await its answer (SPEC §5)', () => {
  it('while pending the stricter of the statement without and with them holds; the answer commits them', () => {
    const registry = new AptRegistry();
    registry.deliver(sdp({ type: 'user', version: 1, export: 'none', retention: '1h' }));
    registry.takeChanged();
    // a relaxation: not before the answer
    expect(registry.deliver(sdp({ type: 'user', version: 2, export: 'raw', retention: '1h' }), 'd1').map((f) => f.type)).toEqual(['version-replaced']);
    expect(registry.takeChanged()).toEqual(['apt-1']);
    expect(registry.get('apt-1')).toMatchObject({ status: 'resolved', export: 'none', retentionSec: 3600, type: 'user', version: 2 });
    // another offer's answer commits nothing of it
    expect(registry.settle('d2', true).parts).toEqual([]);
    expect(registry.takeChanged()).toEqual([]);
    expect(registry.settle('d1', true).parts).toMatchObject([{ params: { version: 2, export: 'raw' } }]);
    expect(registry.takeChanged()).toEqual(['apt-1']);
    expect(registry.get('apt-1')).toMatchObject({ export: 'raw', version: 2 });
    expect(registry.pendingParts()).toEqual([]);
  });

  it('a restriction holds from the offer; a refusal discards it and the statement is what it was', () => {
    const registry = new AptRegistry();
    registry.deliver(sdp({ type: 'user', export: 'raw', features: 'media-metrics, rtcp-xr' }));
    const before = registry.get('apt-1');
    // the same pref-id restated stricter, without a version: parts merge, most restrictive wins
    expect(registry.deliver(header({ export: 'aggregated-only', features: 'media-metrics' }), 'd1').map((f) => [f.type, f.key])).toEqual([
      ['inconsistent-signaling', 'export'],
      ['inconsistent-signaling', 'features'],
    ]);
    expect(registry.get('apt-1')).toMatchObject({ export: 'aggregated-only', features: ['media-metrics'] });
    expect(registry.pendingParts().map((p) => p.offer)).toEqual(['d1']);
    expect(registry.settle('d1', false).parts).toEqual([]);
    expect(registry.get('apt-1')).toEqual(before);
    // what the offer brought is not held: a later delivery of the same part is news again
    expect(registry.deliver(header({ export: 'aggregated-only', features: 'media-metrics' })).length).toBeGreaterThan(0);
  });

  it('an offer restating what is in force leaves nothing pending', () => {
    const registry = new AptRegistry();
    registry.deliver(sdp({ export: 'raw' }));
    registry.takeChanged();
    expect(registry.deliver(sdp({ export: 'raw' }), 'd1')).toEqual([]);
    expect(registry.pendingParts()).toEqual([]);
    expect(registry.takeChanged()).toEqual([]);
  });

  it('two offers bringing the same part: each answer or refusal decides for its own', () => {
    const registry = new AptRegistry();
    registry.deliver(sdp({ version: 1, export: 'none' }));
    registry.deliver(sdp({ version: 2, export: 'raw' }), 'd1');
    registry.deliver(sdp({ version: 2, export: 'raw' }), 'd2');
    registry.settle('d1', false);
    expect(registry.get('apt-1').export).toBe('none');
    expect(registry.pendingParts().map((p) => p.offer)).toEqual(['d2']);
    registry.settle('d2', true);
    expect(registry.get('apt-1')).toMatchObject({ export: 'raw', version: 2 });
  });

  it('a part delivered outside an offer applies at once, beneath what is pending', () => {
    const registry = new AptRegistry();
    registry.deliver(sdp({ version: 1, export: 'raw' }));
    registry.deliver(sdp({ version: 2, export: 'aggregated-only' }), 'd1');
    expect(registry.get('apt-1').export).toBe('aggregated-only');
    // a statement in force with a retention limit: it holds with or without the offer's part
    registry.deliver(file({ retention: '15m' }));
    expect(registry.get('apt-1')).toMatchObject({ export: 'aggregated-only', retentionSec: 900 });
    registry.settle('d1', false);
    expect(registry.get('apt-1')).toMatchObject({ export: 'raw', version: 1, retentionSec: 900 });
  });

  it('an identifier only an offer states is, until the answer, its statement at the most restrictive, not unresolved', () => {
    const registry = new AptRegistry();
    registry.deliver(sdp({ type: 'user', export: 'raw', retention: '1h' }, 'apt-new'), 'd1');
    expect(registry.get('apt-new')).toMatchObject({ status: 'resolved', type: 'user', export: 'none', features: [], retentionSec: 0 });
    registry.settle('d1', true);
    expect(registry.get('apt-new')).toMatchObject({ status: 'resolved', export: 'raw', features: null, retentionSec: 3600 });
  });

  it('a value an offer brings that cannot be read: unresolved from the offer on; its answer makes it for good, a refusal undoes it', () => {
    const accepted = AptRegistry.withParts([file({ type: 'user', export: 'raw' })]);
    accepted.markUnreadable('apt-1', 'frame 5: unreadable', 'd1');
    expect(accepted.get('apt-1')).toMatchObject({ status: 'unresolved', export: 'none' });
    expect(accepted.pendingUnreadable()).toEqual([{ offer: 'd1', prefId: 'apt-1', reason: 'frame 5: unreadable', transient: false }]);
    expect(accepted.settle('d1', true)).toEqual({ parts: [], unreadable: [{ prefId: 'apt-1', reason: 'frame 5: unreadable', transient: false }], recovered: [] });
    expect(accepted.get('apt-1')).toMatchObject({ status: 'unresolved', export: 'none' });
    expect(accepted.pendingUnreadable()).toEqual([]);

    const refused = AptRegistry.withParts([file({ type: 'user', export: 'raw' })]);
    refused.markUnreadable('apt-1', 'frame 5: unreadable', 'd1');
    expect(refused.settle('d1', false)).toEqual({ parts: [], unreadable: [], recovered: [] });
    expect(refused.get('apt-1')).toMatchObject({ status: 'resolved', export: 'raw' });
  });

  it('a uri= handle that could not be fetched: unresolved until a fetch succeeds; an unreadable value stays for good', () => {
    const registry = AptRegistry.withParts([file({ type: 'user', export: 'raw' })]);
    registry.markUnreadable('apt-1', 'uri=<https://x/1> could not be fetched: timeout', null, true);
    expect(registry.get('apt-1')).toMatchObject({ status: 'unresolved', export: 'none' });
    expect(registry.recover('apt-1')).toBe(true);
    expect(registry.get('apt-1')).toMatchObject({ status: 'resolved', export: 'raw' });
    expect(registry.recover('apt-1')).toBe(false);
    // a failure for good takes the place of a transient one, and no fetch lifts it
    registry.markUnreadable('apt-1', 'fetch failed', null, true);
    registry.markUnreadable('apt-1', 'frame 9: unreadable');
    expect(registry.recover('apt-1')).toBe(false);
    expect(registry.get('apt-1')).toMatchObject({ status: 'unresolved', export: 'none' });
    // under an offer: committed as transient by its answer
    const offered = AptRegistry.withParts([file({ type: 'user', export: 'raw' })]);
    offered.markUnreadable('apt-1', 'fetch failed', 'd1', true);
    expect(offered.settle('d1', true).unreadable).toEqual([{ prefId: 'apt-1', reason: 'fetch failed', transient: true }]);
    expect(offered.recover('apt-1')).toBe(true);
    expect(offered.get('apt-1')).toMatchObject({ export: 'raw' });
    // fetched under an offer: lifted when the offer is answered, never if it is refused (SPEC §5)
    for (const answered of [true, false]) {
      const registry = AptRegistry.withParts([file({ type: 'user', export: 'raw' })]);
      registry.markUnreadable('apt-1', 'fetch failed', null, true);
      expect(registry.recover('apt-1', 'd2')).toBe(false);
      expect(registry.pendingRecoveries()).toEqual([{ offer: 'd2', prefId: 'apt-1' }]);
      expect(registry.get('apt-1')).toMatchObject({ export: 'none' });
      expect(registry.settle('d2', answered).recovered).toEqual(answered ? ['apt-1'] : []);
      expect(registry.get('apt-1')).toMatchObject({ export: answered ? 'raw' : 'none' });
      expect(registry.pendingRecoveries()).toEqual([]);
    }
  });

  it('a stream of newer versions under one offer keeps one pending part, not one per delivery', () => {
    const registry = AptRegistry.withParts([file({ type: 'user', version: 1, export: 'aggregated-only' })]);
    for (let v = 2; v <= 3000; v++) registry.deliver(header({ version: String(v), export: v % 2 === 0 ? 'raw' : 'none' }), 'd1 stated');
    expect(registry.pendingParts()).toEqual([{ offer: 'd1 stated', part: header({ version: '3000', export: 'raw' }) }]);
    // still the stricter of what is in force and what is pending
    expect(registry.get('apt-1')).toMatchObject({ export: 'aggregated-only' });
  });

  it('falling versions under one offer add nothing: the newer pending one would replace them', () => {
    const registry = AptRegistry.withParts([file({ type: 'user', version: 1, export: 'aggregated-only' })]);
    for (let v = 3000; v >= 2; v--) registry.deliver(header({ version: String(v), export: 'raw' }), 'd1 stated');
    expect(registry.pendingParts()).toEqual([{ offer: 'd1 stated', part: header({ version: '3000', export: 'raw' }) }]);
  });

  it('holds: an identifier stated in force, failed, or pending under an offer the caller does not ignore', () => {
    const registry = new AptRegistry();
    expect(registry.holds('apt-1')).toBe(false);
    registry.deliver(header({ export: 'raw' }), 'd1 stated');
    expect(registry.holds('apt-1')).toBe(true);
    expect(registry.holds('apt-1', (offer) => offer.endsWith('stated'))).toBe(false);
    registry.deliver(sdp({ export: 'none' }), 'd1');
    expect(registry.holds('apt-1', (offer) => offer.endsWith('stated'))).toBe(true);
  });

  it('forgetting an identifier forgets what is pending for it', () => {
    const registry = new AptRegistry();
    registry.deliver(sdp({ export: 'raw' }), 'd1');
    registry.forget('apt-1');
    expect(registry.pendingParts()).toEqual([]);
    expect(registry.settle('d1', true)).toEqual({ parts: [], unreadable: [], recovered: [] });
    expect(registry.get('apt-1').status).toBe('unresolved');
  });
});

describe('stricterStatement', () => {
  const built = (params: Record<string, unknown>) => buildStatement('apt-1', [sdp(params)]).statement;

  it('takes the most restrictive value of each key', () => {
    const held = built({ type: 'user', export: 'raw', features: 'media-metrics, rtcp-xr', retention: '1h', version: 1 });
    const proposed = built({ type: 'user', export: 'aggregated-only', retention: '24h', version: 2 });
    expect(stricterStatement(held, proposed)).toMatchObject({ type: 'user', export: 'aggregated-only', features: ['media-metrics', 'rtcp-xr'], retentionSec: 3600, version: 2 });
  });

  it('an export one side leaves unstated counts as none', () => {
    expect(stricterStatement(built({ features: 'sdes' }), built({ export: 'raw' })).export).toBe('none');
    expect(stricterStatement(built({ features: 'sdes' }), built({ retention: '1h' })).export).toBeNull();
  });

  it('differing issuers make an untyped statement; a regulatory one stays a floor', () => {
    expect(stricterStatement(built({ type: 'domain', export: 'raw' }), built({ type: 'user', export: 'raw' })).type).toBeNull();
    expect(stricterStatement(built({ type: 'user', export: 'raw' }), built({ export: 'raw' })).type).toBeNull();
    expect(stricterStatement(built({ type: 'user', export: 'raw' }), built({ type: 'regulatory', export: 'raw' })).type).toBe('regulatory');
  });

  it('an unresolved side is the most restrictive', () => {
    const unresolved = buildStatement('apt-1', [header({})]).statement;
    expect(unresolved.status).toBe('unresolved');
    expect(stricterStatement(built({ export: 'raw' }), unresolved)).toBe(unresolved);
    expect(stricterStatement(unresolved, built({ export: 'raw' }))).toBe(unresolved);
  });
});
