import { describe, expect, it } from 'vitest';
import { statementPartsFromBody } from '../../src/policy/body-statements.js';

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
