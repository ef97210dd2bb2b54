import { describe, expect, it } from 'vitest';
import { decideItem } from '../../src/enforce/decide.js';
import { buildAggregateExport, buildDecisionLine, buildTelemetryExport, itemContent, requestIdOf } from '../../src/enforce/records.js';
import { splitTelemetry } from '../../src/enforce/telemetry-items.js';
import { WindowStore } from '../../src/enforce/windows.js';
import { block, bye, compound, nack, rr, sdes, sr, voip, xr } from './packets.js';
import { pref } from './preferences.js';

const dialog = { callId: 'call-1@host', fromTag: 'f', toTag: 't' };
const stream = { ssrc: 1, mid: '0', kind: 'audio' };
const raw = pref('u', { type: 'user', export: 'raw', retention: '90s' });

describe('requestIdOf', () => {
  it('is UUID-shaped (version 8), deterministic and distinct per input', () => {
    const id = requestIdOf(['', 'telemetry', 12, 0]);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdOf(['', 'telemetry', 12, 0])).toBe(id);
    const others = [requestIdOf(['', 'telemetry', 12, 1]), requestIdOf(['', 'telemetry', 13, 0]), requestIdOf(['x', 'telemetry', 12, 0]), requestIdOf(['', 'telemetry', 1, 20])];
    expect(new Set([id, ...others]).size).toBe(5);
  });

  it('keeps its digest-to-id mapping (ids already written must not change)', () => {
    expect(requestIdOf(['', 'telemetry', 12, 0])).toBe('fb045562-e78e-83c4-8de9-8f7adc5a5ae5');
    expect(requestIdOf(['', 'aggregate', 'dialog/1', 100.5, 103])).toBe('96d12b36-183a-82e4-ae39-2b018d080d53');
  });

  it('is the digest of the salt given, frame, index, capture time and sender SSRC for a telemetry export', () => {
    const [item] = splitTelemetry(compound(rr(1, [block(2)])));
    const decision = decideItem(item!, raw, [raw]);
    for (const salt of [undefined, '', 'capture "a".pcap', 'ünï\\code\n']) {
      const line = buildTelemetryExport({ frame: 7, ts: 1, item: item!, decision, dialog, stream, ...(salt === undefined ? {} : { salt }) });
      expect(line.requestId).toBe(requestIdOf([salt ?? '', 'telemetry', 7, 0, 1, 1]));
    }
  });
});

describe('buildTelemetryExport', () => {
  it('makes the SPEC §8 telemetry line', () => {
    const [item] = splitTelemetry(compound(rr(1, [block(2, { jitter: 7 })])));
    const decision = decideItem(item!, raw, [raw]);
    const line = buildTelemetryExport({ frame: 42, ts: 1_700_000_000.1234567, item: item!, decision, dialog, stream });
    expect(line).toEqual({
      type: 'telemetry',
      requestId: requestIdOf(['', 'telemetry', 42, 0, 1_700_000_000.123457, 1]),
      ts: 1_700_000_000.123457,
      expiresAt: 1_700_000_090.123457,
      dialog,
      stream,
      apt: ['u'],
      decision: 'export',
      item: { pt: 201, ssrc: 1, reports: [{ ssrc: 2, fractionLost: 0, cumulativeLost: 0, highestSeq: 1000, jitter: 7, lsr: 0, dlsr: 0 }] },
    });
  });

  it('expiresAt is null where no APT limits retention', () => {
    const [item] = splitTelemetry(compound(rr(1)));
    const unlimited = pref('n', { export: 'raw' });
    expect(buildTelemetryExport({ frame: 1, ts: 5, item: item!, decision: decideItem(item!, unlimited, []), dialog: null, stream }).expiresAt).toBeNull();
  });

  it.each([
    ['SR', sr(1, [block(2)]), { pt: 200, ssrc: 1, ntpSec: 3_900_000_000, ntpFrac: 0, rtpTs: 1234, packetCount: 50, octetCount: 8000 }],
    ['NACK', nack(1, 2), { pt: 205, fmt: 1, senderSsrc: 1, mediaSsrc: 2, nacks: [{ pid: 10, blp: 0 }] }],
    ['XR VoIP block', xr(1, [voip(2)]), { pt: 207, ssrc: 1, block: 0, blocks: [voip(2)] }],
  ])('item content of %s has no wire offsets', (_name, packet, want) => {
    const [item] = splitTelemetry(compound(packet));
    const content = itemContent(item!, true);
    expect(content).not.toHaveProperty('offset');
    expect(content).not.toHaveProperty('length');
    for (const [key, value] of Object.entries(want)) if (value !== undefined) expect(content[key], key).toEqual(value);
  });

  it('a BYE reason is left out unless text may go', () => {
    const [item] = splitTelemetry(compound(bye([1], 'moving to another room')));
    expect(itemContent(item!, false)).toEqual({ pt: 203, ssrc: 1, ssrcs: [1] });
    expect(itemContent(item!, true)).toEqual({ pt: 203, ssrc: 1, ssrcs: [1], reason: 'moving to another room' });
  });

  it('SDES content never carries binding metadata', () => {
    const [item] = splitTelemetry(compound(sdes([{ ssrc: 1, items: [{ type: 1, text: 'c@h' }, { type: 12, text: 'mid0' }, { type: 8, prefix: 'aipref', value: 'apt-9' }] }])));
    const text = JSON.stringify(itemContent(item!, true));
    expect(text).toContain('c@h');
    expect(text).not.toContain('mid0');
    expect(text).not.toContain('apt-9');
  });
});

describe('buildAggregateExport', () => {
  it('makes the aggregate line at the window end, expiring a retention after its first item', () => {
    const store = new WindowStore();
    const [item] = splitTelemetry(compound(rr(1, [block(2, { jitter: 4 })])));
    store.add('dialog/1', item!, 100.5, { apt: ['agg'], retentionSec: 900 });
    store.add('dialog/1', item!, 102, { apt: ['agg'], retentionSec: 900 });
    const [window] = store.closeAll(undefined, 103);
    const line = buildAggregateExport({ window: window!, dialog, stream });
    expect(line).toMatchObject({
      type: 'aggregate',
      requestId: requestIdOf(['', 'aggregate', 'dialog/1', 100.5, 103]),
      ts: 103,
      // the item captured at 100.5 may be kept until 1000.5, in the aggregate too (SPEC §3, §4)
      expiresAt: 1000.5,
      dialog,
      stream,
      apt: ['agg'],
      decision: 'aggregate',
      window: { start: 100.5, end: 103 },
    });
    expect(line.stats.jitter).toEqual({ min: 4, mean: 4, max: 4, p95: 4 });
    expect(line).not.toHaveProperty('item');
  });

  it('expires never when no retention limited its items', () => {
    const store = new WindowStore();
    const [item] = splitTelemetry(compound(rr(1)));
    store.add('dialog/1', item!, 100.5, { apt: ['agg'], retentionSec: null });
    const [window] = store.closeAll(undefined, 103);
    expect(buildAggregateExport({ window: window!, dialog, stream }).expiresAt).toBeNull();
  });
});

describe('buildDecisionLine', () => {
  it.each([
    ['RR', rr(1), 0, { frame: 7, ts: 1.5, ssrc: 1, pt: 201, feature: 'media-metrics' }],
    ['NACK carries fmt', nack(1, 2), 0, { pt: 205, fmt: 1, feature: 'feedback' }],
    ['XR carries block', xr(1, [{ bt: 4, ntpSec: 0, ntpFrac: 0 }, voip(2)]), 1, { pt: 207, block: 1, feature: 'rtcp-xr' }],
  ] as const)('%s', (_name, packet, index, want) => {
    const item = splitTelemetry(compound(packet))[index]!;
    const line = buildDecisionLine(7, 1.5, item, decideItem(item, null, []));
    expect(line).toMatchObject({ ...want, decision: 'drop', reason: 'no-preference', apt: [], rule: 'no-preference' });
    if (!('fmt' in want)) expect(line).not.toHaveProperty('fmt');
    if (!('block' in want)) expect(line).not.toHaveProperty('block');
  });
});
