/**
 * Issue 5 as a property, end to end: for random operator statements (export level, features,
 * retention per APT; the types stay the generator's, so the signaling's own parameters can
 * only tighten them), replaying a small generated capture never exports what the policy
 * forbids, never exports raw what may only be aggregated, and never lets SSRC-level values or
 * SDES text into an aggregate or a report.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APT_CATALOG } from '../../samples/generator/apt-catalog.js';
import {
  catalogApts,
  type DecisionLine,
  type ExportLine,
  type Generated,
  parseLines,
  policyOf,
  type PolicyJson,
  replayLines,
  type ReportLine,
  Workspace,
} from './e2e-helpers.js';
import { DecisionModel, type ExpectedItem, us } from './expectations.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let g: Generated;
/** every SDES text the generator wrote (CNAMEs, names, e-mail addresses) */
let sdesTexts: string[];

beforeAll(async () => {
  // the committed call-small sample's parameters: three calls, every route and renegotiation kind
  g = await ws.generate({ calls: 3, durationSec: 5, seed: 7, videoBytes: 300, packetRateScale: 0.1 });
  const texts = new Set<string>();
  for (const packets of g.rtcp.values()) {
    for (const p of packets) {
      if (!('chunks' in p)) continue;
      for (const c of p.chunks) for (const i of c.items) if ('text' in i && i.type !== 12) texts.add(i.text);
    }
  }
  sdesTexts = [...texts];
});

const FEATURES = ['media-metrics', 'rtcp-xr', 'feedback', 'sdes', 'app'] as const;
const RETENTIONS = ['0', '90s', '15m', '24h', '7d'] as const;

const statementArb = fc.record({
  export: fc.constantFrom('none', 'aggregated-only', 'raw'),
  features: fc.subarray([...FEATURES]),
  retention: fc.constantFrom(...RETENTIONS),
});

const policyArb = fc.record({
  statements: fc.tuple(...APT_CATALOG.map(() => statementArb)),
  repository: fc.option(fc.record({ call: fc.integer({ min: 0, max: 2 }), apt: fc.constantFrom(...APT_CATALOG.map((e) => e.id)) }), { nil: undefined }),
  windowSec: fc.constantFrom(1, 3, 10),
});

const seconds = (d: string): number => ({ s: 1, m: 60, h: 3600, d: 86400 })[d.slice(-1) as 's'] * Number(d.slice(0, -1)) || Number(d);

const RANK = { drop: 0, aggregate: 1, export: 2 } as const;
const itemKey = (d: { frame: number; ssrc: number; pt: number; fmt?: number; block?: number }) => `${d.frame}/${d.ssrc}/${d.pt}/${d.fmt ?? '-'}/${d.block ?? '-'}`;

describe('random operator statements never let forbidden telemetry out', () => {
  it('exports ⊆ what the statements allow; no raw where aggregated-only/none; aggregates and reports hold no SSRC fields or SDES text', async () => {
    expect(sdesTexts.length).toBeGreaterThan(3);
    const seen = { telemetry: 0, aggregate: 0, disagreements: 0 };
    await fc.assert(
      fc.asyncProperty(policyArb, async ({ statements, repository, windowSec }) => {
        const apts = catalogApts();
        APT_CATALOG.forEach((e, i) => {
          const s = statements[i]!;
          // every key stated, the type the signaling also says: inline parameters can only tighten
          apts[e.id] = { type: e.statement.type, export: s.export, features: s.features, retention: s.retention };
        });
        const json: PolicyJson = { apts };
        if (repository) {
          const call = g.truth.calls[repository.call]!;
          json.dialogs = [{ callId: call.callId, apt: [repository.apt] }];
        }
        const policy = policyOf(json);
        const run = await replayLines({ capture: g.path, policy, explain: true, windowSec });
        const model = new DecisionModel(g.truth, policy);
        const expected = new Map<string, ExpectedItem>(model.expectAll(g.rtcp).map((e) => [itemKey(e), e]));

        // 1. no decision is more permissive than the operator's statements allow
        for (const d of parseLines<DecisionLine>(run.decisions)) {
          const e = expected.get(itemKey(d));
          expect(e, `decision for an item the capture does not hold: ${itemKey(d)}`).toBeDefined();
          expect(RANK[d.decision], `${itemKey(d)} ${d.feature}: ${d.decision}/${d.reason}, the policy allows at most ${e!.decision}/${e!.reason}`).toBeLessThanOrEqual(RANK[e!.decision]);
        }

        const exports = parseLines<ExportLine>(run.exports);
        for (const x of exports) seen[x.type === 'telemetry' ? 'telemetry' : 'aggregate']++;
        for (const x of exports) {
          const text = JSON.stringify(x);
          if (x.type === 'telemetry') {
            // 2. a raw export is an item whose governing statements allow its feature, raw
            const item = x.item!;
            const key = `${x.ts}/${(item.senderSsrc ?? item.ssrc) as number}/${item.pt}/${item.fmt ?? '-'}/${item.block ?? '-'}`;
            const e = [...expected.values()].find((v) => `${us(v.ts)}/${v.ssrc}/${v.pt}/${v.fmt ?? '-'}/${v.block ?? '-'}` === key);
            expect(e, `export of an unknown item ${key}`).toBeDefined();
            expect(e!.decision, `raw export of ${key} (${e!.feature}), allowed: ${e!.decision}/${e!.reason}`).toBe('export');
            if (item.pt !== 202) for (const t of sdesTexts) expect(text.includes(t), `SDES text in a non-SDES export: ${t}`).toBe(false);
            if (x.expiresAt !== null && e!.retentionSec !== null) expect(x.expiresAt).toBeLessThanOrEqual(us(x.ts + e!.retentionSec));
          } else {
            // 3. aggregates: counts and statistics only
            expect(x.type).toBe('aggregate');
            expect('item' in x).toBe(false);
            const stats = JSON.stringify(x.stats);
            expect(stats).not.toMatch(/"ssrc"/i);
            for (const t of sdesTexts) expect(text.includes(t), `SDES text in an aggregate: ${t}`).toBe(false);
          }
        }
        // 4. where the operator's statement and the signaling's own parameters disagree on a key,
        //    inconsistent-signaling names the identifier (SPEC §3); where they agree, it does not
        const disagreeing = new Set<string>();
        const stated = (id: string) => apts[id] as { export: string; features: string[]; retention: string };
        const differs = (id: string, params: Record<string, unknown>) => {
          const mine = stated(id);
          if (params.export !== undefined && params.export !== mine.export) return true;
          if (params.retention !== undefined && seconds(String(params.retention)) !== seconds(mine.retention)) return true;
          if (params.features !== undefined) {
            const theirs = Array.isArray(params.features) ? (params.features as string[]) : String(params.features).split(',').map((f) => f.trim());
            if ([...theirs].sort().join() !== [...mine.features].sort().join()) return true;
          }
          return false;
        };
        for (const call of g.truth.calls) {
          for (const d of [...call.sdp.session, ...Object.values(call.sdp.mids).flat()]) if (differs(d.id, d.params)) disagreeing.add(d.id);
          if (call.body === 'multipart') for (const v of call.aiPref) if (differs(v.id, { ...APT_CATALOG.find((e) => e.id === v.id)!.statement })) disagreeing.add(v.id);
        }
        const reported = new Set(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'inconsistent-signaling').flatMap((r) => r.apt ?? []));
        expect([...reported].sort()).toEqual([...disagreeing].sort());
        seen.disagreements += disagreeing.size;

        // 5. reports name APTs and Call-IDs, never SDES text
        for (const line of run.reports) for (const t of sdesTexts) expect(line.includes(t), `SDES text in a report: ${t}`).toBe(false);
      }),
      { numRuns: 15, seed: 20261122 },
    );
    // the runs were not vacuous: raw exports and aggregates both happened
    expect(seen.telemetry).toBeGreaterThan(0);
    expect(seen.aggregate).toBeGreaterThan(0);
    expect(seen.disagreements).toBeGreaterThan(0);
  });
});

describe('random operator statements at least as strict as the signaled parameters: decisions exactly as modelled', () => {
  /**
   * When the operator's statement is, key by key, at least as restrictive as what the signaling
   * writes inline, the merged statement is the operator's: the independent model of
   * expectations.ts then predicts every decision exactly. Types are drawn too (except for
   * the dialog-level identifiers, whose type the AI-Pref header states), so user-over-domain,
   * regulatory floors and strictest-wins all come up.
   */
  const RANK_EXPORT = { none: 0, 'aggregated-only': 1, raw: 2 } as const;
  const stricterStatementArb = (e: (typeof APT_CATALOG)[number]) =>
    fc.record({
      export: fc.constantFrom(...(['none', 'aggregated-only', 'raw'] as const).filter((x) => RANK_EXPORT[x] <= RANK_EXPORT[e.statement.export])),
      retention: fc.constantFrom(...RETENTIONS.filter((r) => seconds(r) <= seconds(e.statement.retention))),
      features: e.statement.features ? fc.subarray([...e.statement.features]) : fc.option(fc.subarray([...FEATURES]), { nil: undefined }),
      type: e.role === 'dialog' ? fc.constant(e.statement.type) : fc.constantFrom('user', 'domain', 'regulatory'),
    });

  it('every decision line equals the model for 12 random policies', async () => {
    const outcomes = { export: 0, aggregate: 0, drop: 0 };
    await fc.assert(
      fc.asyncProperty(fc.tuple(...APT_CATALOG.map(stricterStatementArb)), fc.integer({ min: 0, max: 2 }), async (statements, repoCall) => {
        const apts: PolicyJson['apts'] = {};
        APT_CATALOG.forEach((e, i) => {
          const { features, ...rest } = statements[i]!;
          apts[e.id] = features === undefined ? rest : { ...rest, features };
        });
        const call = g.truth.calls[repoCall]!;
        const policy = policyOf({ apts, dialogs: [{ callId: call.callId, fromTag: call.fromTag, toTag: call.toTag, apt: ['apt-repo-1'] }] });
        const run = await replayLines({ capture: g.path, policy, explain: true });
        const expected = new DecisionModel(g.truth, policy).expectAll(g.rtcp);
        const actual = parseLines<DecisionLine>(run.decisions);
        expect(actual.map(itemKey)).toEqual(expected.map(itemKey));
        expected.forEach((e, i) => {
          const d = actual[i]!;
          outcomes[d.decision]++;
          const reasonOk = d.reason === e.reason || (e.alsoAccepted?.includes(d.reason) ?? false);
          expect({ item: itemKey(e), decision: d.decision, reasonOk }).toEqual({ item: itemKey(e), decision: e.decision, reasonOk: true });
          if (e.apt !== null) expect([...d.apt].sort(), itemKey(e)).toEqual([...e.apt].sort());
        });
      }),
      { numRuns: 12, seed: 424242 },
    );
    expect(outcomes.export).toBeGreaterThan(0);
    expect(outcomes.aggregate).toBeGreaterThan(0);
  });
});
