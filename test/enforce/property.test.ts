import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideItem } from '../../src/enforce/decide.js';
import { buildAggregateExport, buildTelemetryExport } from '../../src/enforce/records.js';
import { splitTelemetry, type TelemetryItem } from '../../src/enforce/telemetry-items.js';
import { WindowStore } from '../../src/enforce/windows.js';
import type { ReportBlock, RtcpPacket, XrBlock } from '../../src/media/rtcp/types.js';
import { resolvePreferences, type ResolvedPreference } from '../../src/policy/precedence.js';
import { type AptStatement, buildStatement, mostRestrictiveStatement } from '../../src/policy/statement.js';
import { FEATURE_CLASSES } from '../../src/policy/vocabulary.js';
import { app, block, bye, compound, fir, nack, pli, remb, rr, sdes, sr, twcc, voip, xr } from './packets.js';

/** SSRCs and raw field values are drawn from ranges no statistic can produce by accident. */
const SSRCS = [0x9e3779b1, 0x7f4a7c15, 0x6a09e667, 0x3c6ef372];
const rawValue = fc.integer({ min: 1_000_000_007, max: 2_000_000_000 });
const TEXT_MARK = 'sdes-text-';

const statementArb: fc.Arbitrary<AptStatement> = fc.oneof(
  { weight: 9, arbitrary: fc.record(
    {
      id: fc.constantFrom('apt-a', 'apt-b', 'apt-c', 'apt-d'),
      export: fc.constantFrom('none', 'aggregated-only', 'raw'),
      features: fc.subarray([...FEATURE_CLASSES]),
      retention: fc.constantFrom('0', '90s', '15m', '24h'),
      type: fc.constantFrom('user', 'domain', 'regulatory'),
    },
    { requiredKeys: ['id'] },
  ).map(({ id, ...params }) => buildStatement(id, [{ prefId: id, source: 'policy-file', params }]).statement) },
  { weight: 1, arbitrary: fc.constantFrom(mostRestrictiveStatement('apt-gone', 'unresolved', 'test'), mostRestrictiveStatement('apt-bad', 'integrity-failure', 'test')) },
);

const preferencesArb = fc.array(fc.option(fc.array(statementArb, { minLength: 1, maxLength: 3 }), { nil: null }), { minLength: SSRCS.length, maxLength: SSRCS.length })
  .map((perSsrc) => new Map(SSRCS.map((ssrc, i) => [ssrc, perSsrc[i] === null ? null : resolvePreferences(perSsrc[i]!)])));

const ssrcArb = fc.constantFrom(...SSRCS);
const blockArb: fc.Arbitrary<ReportBlock> = fc.record({
  ssrc: ssrcArb,
  fractionLost: fc.integer({ min: 0, max: 255 }),
  cumulativeLost: fc.integer({ min: 0, max: 5000 }),
  highestSeq: rawValue,
  jitter: fc.integer({ min: 0, max: 5000 }),
  lsr: rawValue,
  dlsr: rawValue,
}).map((b) => block(b.ssrc, b));
const textArb = fc.string({ minLength: 1, maxLength: 8 }).map((s) => `${TEXT_MARK}${s}`);
const xrBlockArb: fc.Arbitrary<XrBlock> = fc.oneof(
  ssrcArb.map((ssrc) => voip(ssrc, { roundTripDelay: 61_001, endSystemDelay: 61_003 })),
  fc.record({ ntpSec: rawValue, ntpFrac: rawValue }).map(({ ntpSec, ntpFrac }): XrBlock => ({ bt: 4, ntpSec, ntpFrac })),
);

const packetArb: fc.Arbitrary<RtcpPacket> = fc.oneof(
  fc.tuple(ssrcArb, fc.array(blockArb, { maxLength: 3 }), rawValue, rawValue).map(([s, blocks, ntpSec, ntpFrac]) => ({ ...sr(s, blocks, { ntpSec, ntpFrac }), rtpTs: ntpSec, packetCount: ntpFrac, octetCount: ntpSec })),
  fc.tuple(ssrcArb, fc.array(blockArb, { maxLength: 3 })).map(([s, blocks]) => rr(s, blocks)),
  fc.tuple(ssrcArb, textArb, textArb).map(([s, cname, note]) => sdes([{ ssrc: s, items: [{ type: 1, text: cname }, { type: 12, text: 'mid' }, { type: 7, text: note }] }])),
  fc.tuple(fc.subarray(SSRCS, { minLength: 1 }), fc.option(textArb, { nil: undefined })).map(([ssrcs, reason]) => bye(ssrcs, reason)),
  ssrcArb.map((s) => app(s)),
  fc.tuple(ssrcArb, ssrcArb).map(([a, b]) => nack(a, b)),
  fc.tuple(ssrcArb, ssrcArb).map(([a, b]) => twcc(a, b)),
  fc.tuple(ssrcArb, ssrcArb).map(([a, b]) => pli(a, b)),
  fc.tuple(ssrcArb, ssrcArb).map(([a, b]) => fir(a, b)),
  fc.tuple(ssrcArb, fc.subarray(SSRCS)).map(([a, bs]) => remb(a, bs)),
  fc.tuple(ssrcArb, fc.array(xrBlockArb, { minLength: 1, maxLength: 3 })).map(([s, blocks]) => xr(s, blocks)),
);

function governing(item: TelemetryItem, prefs: Map<number, ResolvedPreference | null>): (ResolvedPreference | null)[] {
  return [item.senderSsrc, ...item.subjectSsrcs].map((ssrc) => prefs.get(ssrc) ?? null);
}

function rawNumbers(packet: RtcpPacket): number[] {
  const numbers: number[] = [...SSRCS];
  if ('reports' in packet) for (const r of packet.reports) numbers.push(r.highestSeq, r.lsr, r.dlsr);
  if (packet.pt === 200 && 'ntpSec' in packet) numbers.push(packet.ntpSec, packet.ntpFrac, packet.rtpTs, packet.packetCount, packet.octetCount);
  if ('blocks' in packet) for (const b of packet.blocks) if ('ntpSec' in b) numbers.push(b.ntpSec, b.ntpFrac);
  numbers.push(61_001, 61_003);
  return numbers;
}

describe('property: preferences are never exceeded', () => {
  it('no exported item is one its governing preferences forbid; aggregates hold no raw values or text', () => {
    fc.assert(
      fc.property(preferencesArb, fc.array(fc.array(packetArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (prefs, compounds) => {
        const store = new WindowStore({ windowSec: 2 });
        const closed = [];
        const forbiddenNumbers = new Set<number>();
        const texts: string[] = [];
        compounds.forEach((packets, frameIndex) => {
          const ts = 1000 + frameIndex;
          for (const packet of packets) rawNumbers(packet).forEach((n) => forbiddenNumbers.add(n));
          for (const packet of packets) {
            if (packet.pt === 202 && 'chunks' in packet) for (const c of packet.chunks) for (const i of c.items) if ('text' in i && i.text.startsWith(TEXT_MARK)) texts.push(i.text);
            if (packet.pt === 203 && 'reason' in packet && packet.reason !== undefined) texts.push(packet.reason);
          }
          for (const item of splitTelemetry(compound(...packets))) {
            const governors = governing(item, prefs);
            const decision = decideItem(item, governors[0]!, governors.slice(1));
            if (decision.decision !== 'drop') {
              for (const g of governors) {
                expect(g).not.toBeNull();
                expect(g!.export).not.toBe('none');
                if (g!.features !== null) expect(g!.features).toContain(item.feature);
                expect(g!.retentionSec).not.toBe(0);
              }
            }
            if (decision.decision === 'export') {
              for (const g of governors) expect(g!.export).toBe('raw');
              const line = buildTelemetryExport({ frame: frameIndex + 1, ts, item, decision, dialog: null, stream: { ssrc: item.senderSsrc, mid: null, kind: null } });
              const sdesAllowed = governors.every((g) => g!.features === null || g!.features.includes('sdes'));
              if (!sdesAllowed) expect(JSON.stringify(line)).not.toContain(TEXT_MARK);
            }
            if (decision.decision === 'aggregate') {
              expect(governors.some((g) => g!.export === 'aggregated-only')).toBe(true);
              closed.push(...store.add(String(item.senderSsrc), item, ts, { apt: decision.apt, retentionSec: decision.retentionSec }));
            }
          }
          closed.push(...store.closeDue(ts));
        });
        closed.push(...store.closeAll());
        for (const window of closed) {
          const line = buildAggregateExport({ window, dialog: null, stream: { ssrc: 0, mid: null, kind: null } });
          const text = JSON.stringify(line);
          for (const t of texts) expect(text).not.toContain(t);
          expect(text).not.toContain(TEXT_MARK);
          const numbers = JSON.stringify({ window: line.window, stats: line.stats }).match(/-?\d+(\.\d+)?(e[+-]?\d+)?/g) ?? [];
          for (const n of numbers) expect(forbiddenNumbers.has(Number(n)), `stats carry raw value ${n}`).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
