import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicy, PolicyError } from '../../src/policy/policy-file.js';

const good = {
  apts: {
    'apt-domain': { type: 'domain', export: 'aggregated-only', retention: '24h', features: ['media-metrics'] },
    'apt-user': { type: 'user', export: 'raw', retention: 90, 'ai-train': 'n' },
  },
  dialogs: [
    { callId: 'c1', fromTag: 'f1', toTag: 't1', apt: ['apt-user'] },
    { callId: 'c1', apt: ['apt-domain'] },
    { callId: 'c2', fromTag: 'f2', apt: 'apt-domain' },
  ],
  default: null,
  window: '15s',
};

describe('parsePolicy: a good file', () => {
  const policy = parsePolicy(JSON.stringify(good), 'policy.json');

  it('reads apts, default and window', () => {
    expect(policy.apts.get('apt-user')).toEqual({ type: 'user', export: 'raw', retention: 90, 'ai-train': 'n' });
    expect(policy.defaultApt).toBeNull();
    expect(policy.windowSec).toBe(15);
    expect(policy.statementPart('apt-domain')).toMatchObject({ prefId: 'apt-domain', source: 'policy-file', origin: 'policy.json' });
    expect(policy.statementPart('nope')).toBeNull();
    expect(policy.statementParts().map((p) => p.prefId)).toEqual(['apt-domain', 'apt-user']);
  });

  it.each([
    [['c1', 'f1', 't1'], ['apt-user', 'apt-domain']],
    [['c1', 'f9', 't1'], ['apt-domain']],
    [['c1', undefined, undefined], ['apt-user', 'apt-domain']],
    [['c2', 'f2', 'anything'], ['apt-domain']],
    [['c2', 'f3', 'x'], []],
    [['c3', 'f1', 't1'], []],
  ] as const)('findDialogApts(%j) → %j', ([callId, fromTag, toTag], want) => {
    expect(policy.findDialogApts(callId, fromTag, toTag)).toEqual(want);
  });

  it.each([
    ['apt-user', undefined, 'apt-user'],
    ['handle-1', 'https://prefs.example/h1', 'https://prefs.example/h1'],
    ['handle-2', 'https://prefs.example/unknown', null],
    ['handle-3', undefined, null],
  ] as const)('resolveOffline(%s, %s) uses the entry %s', (prefId, uri, entry) => {
    const withHandle = parsePolicy(JSON.stringify({ apts: { ...good.apts, 'https://prefs.example/h1': { export: 'none' } } }), 'h.json');
    const part = withHandle.resolveOffline(prefId, uri);
    if (entry === null) expect(part).toBeNull();
    else expect(part).toEqual({ prefId, source: 'policy-file', origin: 'h.json', params: withHandle.apts.get(entry) });
  });

  it('an empty object is a valid, empty policy', () => {
    const empty = parsePolicy('{}', 'e.json');
    expect([empty.apts.size, empty.dialogs.length, empty.defaultApt, empty.windowSec, empty.issuers]).toEqual([0, 0, null, null, null]);
  });
});

describe('parsePolicy: refusals are one line naming file, key and value', () => {
  it.each([
    ['{"apts": {', /^policy\.json: not valid JSON: .+$/],
    ['[]', 'policy.json: (top level): expected an object: []'],
    ['{"apts": {"foo": {"export": "maybe"}}}', 'policy.json: apts.foo.export: unknown value (expected none, aggregated-only, raw): "maybe"'],
    ['{"apts": {"foo": {"retention": "forever"}}}', 'policy.json: apts.foo.retention: unparsable duration (expected e.g. 0, 90s, 15m, 24h, 7d): "forever"'],
    ['{"apts": {"foo": {"retention": -1}}}', 'policy.json: apts.foo.retention: unparsable duration (expected e.g. 0, 90s, 15m, 24h, 7d): -1'],
    ['{"apts": {"foo": {"features": ["media-metrics", "video"]}}}', 'policy.json: apts.foo.features[1]: unknown feature (expected media-metrics, rtcp-xr, feedback, sdes, app): "video"'],
    ['{"apts": {"foo": {"features": "sdes"}}}', 'policy.json: apts.foo.features: expected a list of media-metrics, rtcp-xr, feedback, sdes, app: "sdes"'],
    ['{"apts": {"foo": {"type": "vendor"}}}', 'policy.json: apts.foo.type: unknown value (expected user, domain, regulatory): "vendor"'],
    ['{"apts": {"foo": {"version": "2"}}}', 'policy.json: apts.foo.version: expected a non-negative integer: "2"'],
    ['{"apts": {"foo": {"policy": "loosest"}}}', 'policy.json: apts.foo.policy: unknown value (expected strictest-wins): "loosest"'],
    ['{"apts": {"foo": 3}}', 'policy.json: apts.foo: expected an object: 3'],
    ['{"window": "soon"}', 'policy.json: window: unparsable or zero duration: "soon"'],
    ['{"window": "0"}', 'policy.json: window: unparsable or zero duration: "0"'],
    ['{"default": 5}', 'policy.json: default: expected an APT identifier or null: 5'],
    ['{"dialogs": [{"apt": ["a"]}]}', 'policy.json: dialogs[0].callId: expected a Call-ID: (missing)'],
    ['{"dialogs": [{"callId": "c", "apt": []}]}', 'policy.json: dialogs[0].apt: expected a list of APT identifiers: []'],
    ['{"dialogs": [{"callId": "c", "toTag": 4, "apt": ["a"]}]}', 'policy.json: dialogs[0].toTag: expected a tag string: 4'],
    ['{"keys": {"k1": {"x": 1}}}', 'policy.json: keys.k1: expected a public JWK or a PEM string: {"x":1}'],
    ['{"revoked": "a"}', 'policy.json: revoked: expected a list of strings: "a"'],
  ])('%s', (text, message) => {
    let thrown: unknown;
    try {
      parsePolicy(text, 'policy.json');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PolicyError);
    const got = (thrown as PolicyError).message;
    expect(got).not.toContain('\n');
    if (typeof message === 'string') expect(got).toBe(message);
    else expect(got).toMatch(message);
  });
});

describe('loadPolicyFile', () => {
  it('reads a file from disk, and refuses a missing one naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aipref-policy-'));
    const path = join(dir, 'p.json');
    await writeFile(path, JSON.stringify(good));
    const policy = await loadPolicyFile(path);
    expect(policy.fileName).toBe(path);
    expect(policy.apts.size).toBe(2);
    await expect(loadPolicyFile(join(dir, 'missing.json'))).rejects.toThrow(new RegExp(`^${join(dir, 'missing.json')}: cannot read policy file: `));
  });
});
