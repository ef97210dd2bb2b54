import { describe, expect, it } from 'vitest';
import { TokenExpiries } from '../../src/policy/token-expiries.js';

describe('TokenExpiries', () => {
  it('a token is expired from exp itself on, a fraction included (RFC 7519 §4.1.4)', () => {
    const e = new TokenExpiries();
    e.add('apt-x', 'k', 100.5);
    expect(e.next).toBe(100.5);
    expect(e.takeDue(100.499)).toEqual([]);
    expect(e.partValidAt('apt-x', 'k', 100.499)).toBe(true);
    expect(e.takeDue(100.5)).toEqual([{ prefId: 'apt-x', key: 'k' }]);
    expect(e.next).toBe(Infinity);
    expect(e.partValidAt('apt-x', 'k', 100.5)).toBe(false);
  });

  it('a token without exp never falls due; soonest first over several identifiers', () => {
    const e = new TokenExpiries();
    e.add('a', 'k', undefined);
    e.add('b', 'k', 300);
    e.add('c', 'k', 200);
    expect(e.next).toBe(200);
    expect(e.takeDue(250)).toEqual([{ prefId: 'c', key: 'k' }]);
    expect(e.takeDue(1e12)).toEqual([{ prefId: 'b', key: 'k' }]);
    expect(e.validAt('a', 1e12, () => true)).toBe(true);
  });

  it('a refreshed token extends its part: the older due time is found stale; an older token does not shorten it', () => {
    const e = new TokenExpiries();
    e.add('a', 'k', 100);
    e.add('a', 'k', 200);
    e.add('a', 'k', 150);
    expect(e.takeDue(100)).toEqual([]);
    expect(e.partValidAt('a', 'k', 199)).toBe(true);
    expect(e.takeDue(200)).toEqual([{ prefId: 'a', key: 'k' }]);
  });

  it('validAt counts only the parts in force', () => {
    const e = new TokenExpiries();
    e.add('a', 'old', 100);
    e.add('a', 'new', 500);
    expect(e.validAt('a', 100, (key) => key === 'old')).toBe(false);
    expect(e.validAt('a', 100, () => true)).toBe(true);
  });

  it('forgotten identifiers fall due no more', () => {
    const e = new TokenExpiries();
    e.add('a', 'k', 100);
    e.add('b', 'k', 200);
    e.forget(new Set(['a']));
    expect(e.next).toBe(200);
    expect(e.takeDue(1000)).toEqual([{ prefId: 'b', key: 'k' }]);
  });
});
