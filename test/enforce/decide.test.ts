import { describe, expect, it } from 'vitest';
import { decideItem } from '../../src/enforce/decide.js';
import { splitTelemetry, type TelemetryItem } from '../../src/enforce/telemetry-items.js';
import type { RtcpPacket } from '../../src/media/rtcp/types.js';
import { app, block, bye, compound, nack, rr, sdes, voip, xr } from './packets.js';
import { pref } from './preferences.js';

const A = 1;
const B = 2;
const only = (packet: RtcpPacket): TelemetryItem => splitTelemetry(compound(packet))[0]!;

const items = {
  rr: only(rr(A)),
  xr: only(xr(A, [{ bt: 4, ntpSec: 1, ntpFrac: 1 }])),
  nack: only(nack(A, A)),
  sdes: only(sdes([{ ssrc: A, items: [{ type: 1, text: 'a@h' }] }])),
  app: only(app(A)),
  bye: only(bye([A], 'bye now')),
};

const raw = pref('raw', { type: 'user', export: 'raw', retention: '1h' });
const agg = pref('agg', { type: 'user', export: 'aggregated-only', retention: '24h' });
const none = pref('none', { type: 'user', export: 'none' });
const metricsOnly = pref('mm', { type: 'user', export: 'raw', features: ['media-metrics'] });
const xrAndSdes = pref('xs', { type: 'user', export: 'raw', features: ['rtcp-xr', 'sdes'] });
const zero = pref('zero', { type: 'user', export: 'raw', retention: '0' });

describe('decideItem per feature and export level', () => {
  it.each([
    ['rr', raw, 'export', 'raw-allowed', ['raw'], 3600],
    ['rr', agg, 'aggregate', 'aggregated-only', ['agg'], 86400],
    ['rr', none, 'drop', 'export-none', ['none'], null],
    ['rr', metricsOnly, 'export', 'raw-allowed', ['mm'], null],
    ['xr', metricsOnly, 'drop', 'feature-not-allowed', ['mm'], null],
    ['nack', metricsOnly, 'drop', 'feature-not-allowed', ['mm'], null],
    ['sdes', metricsOnly, 'drop', 'feature-not-allowed', ['mm'], null],
    ['app', metricsOnly, 'drop', 'feature-not-allowed', ['mm'], null],
    ['bye', metricsOnly, 'export', 'raw-allowed', ['mm'], null],
    ['xr', xrAndSdes, 'export', 'raw-allowed', ['xs'], null],
    ['sdes', xrAndSdes, 'export', 'raw-allowed', ['xs'], null],
    ['rr', xrAndSdes, 'drop', 'feature-not-allowed', ['xs'], null],
    ['rr', zero, 'drop', 'retention-zero', ['zero'], 0],
    ['app', agg, 'aggregate', 'aggregated-only', ['agg'], 86400],
  ] as const)('%s under %o', (kind, preference, decision, reason, apt, retentionSec) => {
    expect(decideItem(items[kind], preference, [])).toMatchObject({ decision, reason, apt, retentionSec });
  });

  it('no preference → drop no-preference', () => {
    expect(decideItem(items.rr, null, [])).toEqual({ decision: 'drop', reason: 'no-preference', apt: [], retentionSec: null, rule: 'no-preference', includeText: false, extensions: {} });
  });

  it('a configured default stands in for absent preferences', () => {
    const fallback = pref('default', { type: 'domain', export: 'aggregated-only', retention: '15m' });
    expect(decideItem(items.rr, null, [], { defaultPreference: fallback })).toMatchObject({ decision: 'aggregate', apt: ['default'], retentionSec: 900 });
  });

  it('a BYE reason goes along only where sdes is allowed too', () => {
    expect(decideItem(items.bye, metricsOnly, []).includeText).toBe(false);
    expect(decideItem(items.bye, raw, []).includeText).toBe(true);
  });
});

describe('decideItem: items governed by several streams', () => {
  const report = only(rr(A, [block(B)]));
  const voipOnB = only(xr(A, [voip(B)]));
  const feedbackOnB = only(nack(A, B));

  it.each([
    ['sender raw, subject aggregated-only', report, raw, [agg], 'aggregate', 'aggregated-only', ['raw', 'agg']],
    ['sender raw, subject none', report, raw, [none], 'drop', 'export-none', ['none']],
    ['sender raw, subject without preference', report, raw, [null], 'drop', 'no-preference', []],
    ['XR block on a subject that forbids xr', voipOnB, xrAndSdes, [metricsOnly], 'drop', 'feature-not-allowed', ['xs', 'mm']],
    ['feedback on a subject that allows raw', feedbackOnB, raw, [raw], 'export', 'raw-allowed', ['raw']],
    ['sender none, subject raw', feedbackOnB, none, [raw], 'drop', 'export-none', ['none']],
  ] as const)('%s', (_name, item, sender, subjects, decision, reason, apt) => {
    expect(decideItem(item, sender, subjects)).toMatchObject({ decision, reason, apt });
  });

  it('retention is the shortest of all governing streams', () => {
    expect(decideItem(report, agg, [raw])).toMatchObject({ decision: 'aggregate', retentionSec: 3600 });
  });
});
