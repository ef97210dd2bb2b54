import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  splitFeatureList,
  stricterExport,
  stricterFeatures,
  stricterRetention,
  jointType,
} from '../../src/policy/vocabulary.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['90s', 90],
    ['15m', 900],
    ['24h', 86400],
    ['7d', 604800],
    ['45', 45],
    [' 10S ', 10],
    ['', null],
    ['-5s', null],
    ['1.5h', null],
    ['10w', null],
    ['h', null],
    ['1h30m', null],
  ])('%j → %j', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
});

describe('splitFeatureList', () => {
  it.each([
    ['media-metrics,rtcp-xr', ['media-metrics', 'rtcp-xr'], []],
    ['media-metrics, rtcp-xr', ['media-metrics', 'rtcp-xr'], []],
    ['rtcp-xr,media-metrics,rtcp-xr', ['media-metrics', 'rtcp-xr'], []],
    ['SDES , app', ['sdes', 'app'], []],
    ['feedback,video-frames', ['feedback'], ['video-frames']],
    ['', [], []],
  ] as const)('%j', (text, known, unknown) => {
    expect(splitFeatureList(text)).toEqual({ known, unknown });
  });

  it('reads JSON arrays too', () => {
    expect(splitFeatureList(['app', 'feedback', 'x'])).toEqual({ known: ['feedback', 'app'], unknown: ['x'] });
  });
});

describe('most restrictive of two values', () => {
  it.each([
    ['none', 'raw', 'none'],
    ['raw', 'aggregated-only', 'aggregated-only'],
    ['raw', 'raw', 'raw'],
    ['aggregated-only', 'none', 'none'],
  ] as const)('export %s vs %s → %s', (a, b, want) => {
    expect(stricterExport(a, b)).toBe(want);
    expect(stricterExport(b, a)).toBe(want);
  });

  it.each([
    [null, null, null],
    [null, ['sdes'], ['sdes']],
    [['media-metrics', 'rtcp-xr'], ['rtcp-xr', 'feedback'], ['rtcp-xr']],
    [['app'], ['sdes'], []],
  ] as const)('features %j ∩ %j → %j', (a, b, want) => {
    expect(stricterFeatures(a, b)).toEqual(want);
    expect(stricterFeatures(b, a)).toEqual(want);
  });

  it.each([
    [null, null, null],
    [null, 90, 90],
    [3600, 90, 90],
    [0, 86400, 0],
  ] as const)('retention %j vs %j → %j', (a, b, want) => {
    expect(stricterRetention(a, b)).toBe(want);
    expect(stricterRetention(b, a)).toBe(want);
  });

  it.each([
    // user against domain: neither issuer, so neither overrides the other (combined strictest-wins)
    ['user', 'domain', null],
    ['regulatory', 'user', 'regulatory'],
    ['domain', 'regulatory', 'regulatory'],
    ['regulatory', null, 'regulatory'],
    ['user', null, null],
    ['user', 'user', 'user'],
  ] as const)('type %s vs %s → %s', (a, b, want) => {
    expect(jointType(a, b)).toBe(want);
    expect(jointType(b, a)).toBe(want);
  });
});
