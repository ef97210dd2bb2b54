/**
 * After f4813ef: a body statement's export, type or policy given as a list is an unknown
 * value, "not the word String() made of ['raw']" — but retention (and a features list's nested
 * member) still went through String(): `"retention": ["7d"]` is read as 7 days, where an unknown
 * retention is read as 0 (the most restrictive), and `"features": [["media-metrics"]]` grants
 * media-metrics. Same defect the commit fixed for export/type/policy; fixed for these keys too.
 */
import { describe, expect, it } from 'vitest';
import { statementPartsFromBody } from '../../src/policy/body-statements.js';
import { buildStatement } from '../../src/policy/statement.js';

function statementOf(body: unknown) {
  const read = statementPartsFromBody(body, 'frame 1');
  expect(read.problems).toEqual([]);
  return buildStatement('apt-b', read.parts);
}

describe('review: a body statement\'s retention or feature member given as a list is an unknown value', () => {
  it('retention ["7d"] is unknown (read as 0, reported), not 7 days', () => {
    const { statement, findings } = statementOf({ id: 'apt-b', export: 'raw', retention: ['7d'] });
    expect(statement.retentionSec).toBe(0);
    expect(findings.some((f) => f.type === 'unknown-value' && f.key === 'retention')).toBe(true);
  });

  it('features [["media-metrics"]] grants nothing (a list is not the word media-metrics)', () => {
    const { statement, findings } = statementOf({ id: 'apt-b', export: 'raw', features: [['media-metrics']] });
    expect(statement.features).toEqual([]);
    expect(findings.some((f) => f.type === 'unknown-value' && f.key === 'features')).toBe(true);
  });
});
