import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicy, PolicyError } from '../../src/policy/policy-file.js';
import { buildStatement } from '../../src/policy/statement.js';

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
    // a dialog with no tags yet is not the one an entry naming tags means (SPEC §3: absence is not consent)
    [['c1', '', ''], ['apt-domain']],
    [['c1', 'f1', ''], ['apt-domain']],
    [['c2', 'f2', 'anything'], ['apt-domain']],
    [['c2', 'f3', 'x'], []],
    [['c3', 'f1', 't1'], []],
  ] as const)('findDialogApts(%j) → %j', ([callId, fromTag, toTag], want) => {
    expect(policy.findDialogApts(callId, fromTag, toTag)).toEqual(want);
  });

  it('a dialog first seen mid-call matches entries with its tags in either order', () => {
    expect(policy.findDialogApts('c1', 't1', 'f1')).toEqual(['apt-domain']);
    expect(policy.findDialogApts('c1', 't1', 'f1', true)).toEqual(['apt-user', 'apt-domain']);
    expect(policy.findDialogApts('c2', 'x', 'f2', true)).toEqual(['apt-domain']);
  });

  it('takes every top-level key it knows at once, and keys of a statement it does not know (SPEC §3)', () => {
    const all = parsePolicy(
      JSON.stringify({
        ...good,
        apts: { ...good.apts, 'apt-x': { export: 'none', 'x-future-key': { any: ['thing'] }, Retention: '1h' } },
        default: 'apt-domain',
        keys: { k1: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } },
        issuers: ['https://issuer.example'],
        revoked: ['jti-1'],
      }),
      'all.json',
    );
    expect(all.apts.get('apt-x')).toEqual({ export: 'none', 'x-future-key': { any: ['thing'] }, Retention: '1h' });
    expect([all.dialogs.length, all.defaultApt, all.windowSec, [...all.keys.keys()], all.issuers, [...all.revoked]]).toEqual([
      3,
      'apt-domain',
      15,
      ['k1'],
      ['https://issuer.example'],
      ['jti-1'],
    ]);
  });

  it('takes vocabulary values in any case, padded, as an a=aipref line or an AI-Pref header does: the same statement', () => {
    const statementOf = (entry: Record<string, unknown>) => {
      const policy = parsePolicy(JSON.stringify({ apts: { a: entry } }), 'case.json');
      return buildStatement('a', [policy.statementPart('a')!]);
    };
    const lower = statementOf({ type: 'domain', export: 'aggregated-only', retention: '24h', features: ['media-metrics', 'rtcp-xr'], policy: 'strictest-wins' });
    const upper = statementOf({ type: 'Domain', export: ' AGGREGATED-ONLY ', retention: '24H', features: ['Media-Metrics', ' RTCP-XR'], policy: 'Strictest-Wins' });
    expect(upper.statement).toEqual(lower.statement);
    expect(upper.findings).toEqual(lower.findings);
    expect(upper.statement).toMatchObject({ export: 'aggregated-only', retentionSec: 86400, features: ['media-metrics', 'rtcp-xr'] });
  });

  it('a window of null states none, as a default of null does', () => {
    expect(parsePolicy('{"window": null, "default": null}', 'w.json').windowSec).toBeNull();
  });

  it('an empty object is a valid, empty policy', () => {
    const empty = parsePolicy('{}', 'e.json');
    expect([empty.apts.size, empty.dialogs.length, empty.defaultApt, empty.windowSec, empty.issuers]).toEqual([0, 0, null, null, null]);
  });
});

describe('parsePolicy: refusals are one line naming file, key and value', () => {
  it.each([
    ['{"apts": {', /^policy\.json: not valid JSON: .+$/],
    // bad JSON: the line and column, as a YAML file's errors give them
    ['{"apts": {', "policy.json: not valid JSON: line 1, column 11: unexpected end of the file (expected a key in double quotes, or '}')"],
    ['', 'policy.json: not valid JSON: the file is empty'],
    [' \n\n', 'policy.json: not valid JSON: the file is empty (white space only)'],
    ['{\n  "apts": {\n    "a": {"export": "raw"},\n  },\n  "window": "10s"\n}', "policy.json: not valid JSON: line 4, column 3: unexpected character '}' (expected a key in double quotes)"],
    ['{\n  "default": nul\n}', "policy.json: not valid JSON: line 2, column 14: unexpected word 'nul' (expected a value: a string, number, object, array, true, false or null)"],
    // a key given twice: JSON.parse would keep the last without a word
    ['{"apts": {"a": {"export": "raw"}, "a": {"export": "none"}}}', 'policy.json: apts.a: duplicate key at line 1, column 35 (first at line 1, column 11)'],
    ['{\n "default": "a",\n "window": "5s",\n "default": null\n}', 'policy.json: default: duplicate key at line 4, column 2 (first at line 2, column 2)'],
    ['{"apts": {"a": {"export": "raw", "export": "none"}}}', 'policy.json: apts.a.export: duplicate key at line 1, column 34 (first at line 1, column 17)'],
    ['{"apts": {"a": {"x-ext": 1, "x-\\u0065xt": 2}}}', 'policy.json: apts.a.x-ext: duplicate key at line 1, column 29 (first at line 1, column 17)'],
    ['{"dialogs": [{"callId": "c", "apt": ["a"]}, {"callId": "c", "apt": ["a"], "apt": ["b"]}]}', 'policy.json: dialogs[1].apt: duplicate key at line 1, column 75 (first at line 1, column 61)'],
    // a key the file does not know, top level or in a dialogs entry (a statement's own keys are open)
    ['{"aptz": {}}', 'policy.json: aptz: unknown key (expected one of apts, dialogs, default, window, keys, issuers, revoked); did you mean \'apts\'?'],
    ['{"apts": {}, "defualt": "d"}', 'policy.json: defualt: unknown key (expected one of apts, dialogs, default, window, keys, issuers, revoked); did you mean \'default\'?'],
    ['{"Window": "10s"}', 'policy.json: Window: unknown key (expected one of apts, dialogs, default, window, keys, issuers, revoked); did you mean \'window\'?'],
    ['{"revoke": []}', 'policy.json: revoke: unknown key (expected one of apts, dialogs, default, window, keys, issuers, revoked); did you mean \'revoked\'?'],
    ['{"policy": {}}', 'policy.json: policy: unknown key (expected one of apts, dialogs, default, window, keys, issuers, revoked)'],
    ['{"__proto__": {"default": "a"}}', 'policy.json: __proto__: unknown key (expected one of apts, dialogs, default, window, keys, issuers, revoked)'],
    [
      '{"dialogs": [{"callId": "a", "apt": "x"}, {"callId": "b", "apt": "x"}, {"callId": "c", "toTg": "t", "apt": "x"}]}',
      "policy.json: dialogs[2].toTg: unknown key (expected one of callId, fromTag, toTag, apt); did you mean 'toTag'?",
    ],
    ['{"dialogs": [{"callid": "c", "apt": ["a"]}]}', "policy.json: dialogs[0].callid: unknown key (expected one of callId, fromTag, toTag, apt); did you mean 'callId'?"],
    ['{"dialogs": [{"callId": "c", "apts": ["a"]}]}', "policy.json: dialogs[0].apts: unknown key (expected one of callId, fromTag, toTag, apt); did you mean 'apt'?"],
    ['{"dialogs": [{"callId": "c", "apt": ["a"], "comment": "x"}]}', 'policy.json: dialogs[0].comment: unknown key (expected one of callId, fromTag, toTag, apt)'],
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
    try {
      const path = join(dir, 'p.json');
      await writeFile(path, JSON.stringify(good));
      const policy = await loadPolicyFile(path);
      expect(policy.fileName).toBe(path);
      expect(policy.apts.size).toBe(2);
      await expect(loadPolicyFile(join(dir, 'missing.json'))).rejects.toThrow(new RegExp(`^${join(dir, 'missing.json')}: cannot read policy file: `));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
