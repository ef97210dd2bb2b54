import { describe, expect, it } from 'vitest';
import { statementPartsFromBody } from '../../src/policy/body-statements.js';
import { resolvePreferences } from '../../src/policy/precedence.js';
import { buildStatement } from '../../src/policy/statement.js';

describe('statementPartsFromBody', () => {
  it.each([
    ['one statement with id', { id: 'a', export: 'raw' }, [['a', { export: 'raw' }]], []],
    ['pref-id spelling', { 'pref-id': 'a', type: 'user' }, [['a', { type: 'user' }]], []],
    ['a list', [{ id: 'a', export: 'none' }, { prefId: 'b', retention: '1h' }], [['a', { export: 'none' }], ['b', { retention: '1h' }]], []],
    ['keyed by identifier', { a: { export: 'raw' }, b: { export: 'none' } }, [['a', { export: 'raw' }], ['b', { export: 'none' }]], []],
    ['a wrapped list beside a document version', { version: 1, statements: [{ id: 'a', export: 'none' }] }, [['a', { export: 'none' }]], []],
    ['keyed under apts', { apts: { a: { features: ['sdes'] } } }, [['a', { features: ['sdes'] }]], []],
    ['list entry without id', [{ export: 'raw' }, 3], [], ['[0]: no identifier (id)', '[1]: not an object']],
    ['keyed entry not an object', { a: 'raw' }, [], ['a: not an object']],
    ['not JSON structure', 'text', [], ['(body): not a JSON object or array']],
  ])('%s', (_name, body, parts, problems) => {
    const got = statementPartsFromBody(body, 'frame 9');
    expect(got.parts).toEqual(parts.map(([prefId, params]) => ({ prefId, source: 'body', origin: 'frame 9', params })));
    expect(got.problems).toEqual(problems);
  });
});

describe('statementPartsFromBody: a part referenced by uri=<cid:...>', () => {
  const ref = (...by: string[]) => ({ by, contentId: 's1@x' });
  const ids = (got: ReturnType<typeof statementPartsFromBody>) => got.parts.map((p) => [p.prefId, p.params]);

  it('without an id is the statement of each identifier that references it', () => {
    const got = statementPartsFromBody({ type: 'user', export: 'raw', retention: '24h' }, 'frame 9', ref('apt-b', 'apt-c'));
    expect(ids(got)).toEqual([
      ['apt-b', { type: 'user', export: 'raw', retention: '24h' }],
      ['apt-c', { type: 'user', export: 'raw', retention: '24h' }],
    ]);
    expect([got.problems, got.findings]).toEqual([[], []]);
  });

  it('with its own id is read as before, whether or not the id is the referencing one', () => {
    expect(ids(statementPartsFromBody({ id: 'apt-b', export: 'raw' }, 'frame 9', ref('apt-b')))).toEqual([['apt-b', { export: 'raw' }]]);
    const other = statementPartsFromBody({ id: 'apt-x', export: 'raw' }, 'frame 9', ref('apt-b'));
    expect(ids(other)).toEqual([['apt-x', { export: 'raw' }]]);
    expect(other.findings).toEqual([
      { type: 'inconsistent-signaling', apt: 'apt-b', detail: "the body part <s1@x> that apt-b's uri=<cid:...> names carries statements for apt-x only: apt-b gets nothing from it" },
    ]);
  });

  it('keyed by identifier is read keyed when it names a referencing identifier or holds only objects', () => {
    expect(ids(statementPartsFromBody({ 'apt-b': { export: 'raw' }, version: 1 }, 'frame 9', ref('apt-b')))).toEqual([['apt-b', { export: 'raw' }]]);
    const others = statementPartsFromBody({ 'apt-x': { export: 'raw' } }, 'frame 9', ref('apt-b'));
    expect(ids(others)).toEqual([['apt-x', { export: 'raw' }]]);
    expect(others.findings.map((f) => [f.type, f.apt])).toEqual([['inconsistent-signaling', 'apt-b']]);
    const empty = statementPartsFromBody({}, 'frame 9', ref('apt-b'));
    expect([ids(empty), empty.findings.map((f) => f.detail)]).toEqual([[], ["the body part <s1@x> that apt-b's uri=<cid:...> names carries no statement: apt-b gets nothing from it"]]);
  });

  it('a list or a wrapped list must carry a statement for the referencing identifier', () => {
    expect(statementPartsFromBody({ version: 1, statements: [{ id: 'apt-b', export: 'none' }] }, 'frame 9', ref('apt-b')).findings).toEqual([]);
    const list = statementPartsFromBody([{ id: 'apt-x', export: 'none' }, { export: 'raw' }], 'frame 9', ref('apt-b'));
    expect(list.problems).toEqual(['[1]: no identifier (id)']);
    expect(list.findings.map((f) => f.apt)).toEqual(['apt-b']);
  });

  it('referenced by nothing, an object without an id is read keyed by identifier, as before', () => {
    const got = statementPartsFromBody({ type: 'user', export: 'raw' }, 'frame 9');
    expect([ids(got), got.problems, got.findings]).toEqual([[], ['type: not an object', 'export: not an object'], []]);
  });
});

describe('statementPartsFromBody: a key named __proto__', () => {
  it('is an own key of the statement like any unknown one, never the prototype its other keys are read through', () => {
    const body = JSON.parse('{"id": "apt-p", "type": "user", "__proto__": {"export": "raw", "retention": "30d"}}') as unknown;
    const [part] = statementPartsFromBody(body, 'frame 9').parts;
    expect(Object.getPrototypeOf(part!.params)).toBe(Object.prototype);
    expect(Object.keys(part!.params)).toEqual(['type', '__proto__']);
    expect('export' in part!.params).toBe(false);
    const { statement } = buildStatement('apt-p', [part!]);
    expect([statement.export, statement.retentionSec]).toEqual([null, null]);
    expect(Object.getPrototypeOf(statement.extensions)).toBe(Object.prototype);
    expect(Object.keys(statement.extensions)).toEqual(['__proto__']);
    const resolved = resolvePreferences([statement]);
    expect(resolved!.export).not.toBe('raw');
    expect(Object.keys(resolved!.extensions['apt-p']!)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(resolved!.extensions)).toBe(Object.prototype);
  });
});
