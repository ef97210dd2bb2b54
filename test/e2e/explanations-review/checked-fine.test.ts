/**
 * Explanation review (SPEC §4 decisions, §6 reports, §8 record contract): checks that came out
 * FINE, kept as regression tests.
 * - On the committed sample (samples/policy.json) and generated captures (seeds 3, 7, 21;
 *   samples/policy.json's apts, and the same with a `default` APT), workers 0 and 2:
 *   * the --json summary's telemetry counts equal the decision lines by kind, and its reports
 *     counts the report lines by type;
 *   * every report line has only SPEC §8 keys {type, ts, frame, dialog, mid, ssrc, apt,
 *     fallback, detail}, and its ts is the capture time of its frame; every decision's ts is
 *     its frame's capture time;
 *   * telemetry export lines: one per export decision, same ts/ssrc/apt, decision "export";
 *     expiresAt = ts + the shortest retention among the deciding APTs (null when none states one);
 *   * aggregate lines: decision "aggregate"; stats.items equals the aggregate decisions of that
 *     stream with the same APT set inside [window.start, window.end]; the items of all aggregates
 *     add up to the aggregate decisions; expiresAt = window.start + shortest retention.
 * - Same two statements on one stream (a=aipref:mid apt-agg + apt-raw): aggregate, apt
 *   [apt-agg], rule strictest-wins; apt-none + apt-raw: drop export-none [apt-none] — a drop
 *   names the APTs that decided the deciding key, an export/aggregate the APTs that decided some
 *   key: consistent (see deciding-apts-combined.test.ts for where it is not).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogApts, type DecisionLine, type ExportLine, parseLines, policyOf, readPcapRecords, replayLines, type ReplayLines, type ReportLine, SMALL_PCAP, SMALL_POLICY, smallCapture, Workspace } from '../e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sr } from '../calls-on-any-address.js';
import { parsePolicy, type PolicyFile } from '../../../src/policy/policy-file.js';
import { audio } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const dur = (s: string): number => {
  const m = /^(\d+)([smhd]?)$/.exec(s)!;
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]!;
};
const us = (x: number) => Math.round(x * 1e6) / 1e6;
const REPORT_KEYS = new Set(['type', 'ts', 'frame', 'dialog', 'mid', 'ssrc', 'apt', 'fallback', 'detail']);

function problems(run: ReplayLines, frameTs: number[], apts: Record<string, Record<string, unknown>>): string[] {
  const out: string[] = [];
  const de = parseLines<DecisionLine>(run.decisions);
  const rp = parseLines<ReportLine>(run.reports);
  const ex = parseLines<ExportLine & { window?: { start: number; end: number }; stats?: { items: number } }>(run.exports);
  const summary = run.result.summary as unknown as { telemetry: Record<string, number>; reports: Record<string, number> };
  const by = <T,>(xs: T[], k: (x: T) => string) => xs.reduce<Record<string, number>>((m, x) => ((m[k(x)] = (m[k(x)] ?? 0) + 1), m), {});
  const dc = by(de, (d) => d.decision);
  for (const k of ['export', 'aggregate', 'drop']) if ((dc[k] ?? 0) !== summary.telemetry[k]) out.push(`telemetry ${k} ${summary.telemetry[k]} vs ${dc[k] ?? 0}`);
  if (JSON.stringify(Object.entries(by(rp, (r) => r.type)).sort()) !== JSON.stringify(Object.entries(summary.reports).sort())) out.push(`reports ${JSON.stringify(summary.reports)} vs lines`);
  for (const r of rp) {
    for (const k of Object.keys(r)) if (!REPORT_KEYS.has(k)) out.push(`report ${r.type} key ${k}`);
    if (r.frame <= frameTs.length && r.ts !== frameTs[r.frame - 1]) out.push(`report ${r.type} frame ${r.frame} ts ${r.ts}`);
  }
  for (const d of de) if (d.ts !== frameTs[d.frame - 1]) out.push(`decision frame ${d.frame} ts ${d.ts}`);
  const minRet = (ids: string[]) => {
    const r = ids.map((id) => apts[id]?.retention).filter((x): x is string => typeof x === 'string').map(dur);
    return r.length === 0 ? null : Math.min(...r);
  };
  const exDec = de.filter((d) => d.decision === 'export');
  const tel = ex.filter((x) => x.type === 'telemetry');
  if (tel.length !== exDec.length) out.push(`telemetry lines ${tel.length} vs ${exDec.length}`);
  for (const t of tel) {
    if (t.decision !== 'export') out.push(`telemetry decision ${t.decision}`);
    if (!exDec.some((d) => d.ts === t.ts && d.ssrc === t.stream.ssrc && d.apt.join() === t.apt.join())) out.push(`telemetry ${t.ts} ${t.stream.ssrc} [${t.apt}] has no such decision`);
    const r = minRet(t.apt);
    if (t.expiresAt !== (r === null ? null : us(t.ts + r))) out.push(`telemetry ${t.ts} expiresAt ${t.expiresAt} retention ${r}`);
  }
  const aggDec = de.filter((d) => d.decision === 'aggregate');
  let items = 0;
  for (const a of ex.filter((x) => x.type === 'aggregate')) {
    items += a.stats!.items;
    if (a.decision !== 'aggregate') out.push(`aggregate decision ${a.decision}`);
    const key = [...a.apt].sort().join();
    const mine = aggDec.filter((d) => d.ssrc === a.stream.ssrc && [...d.apt].sort().join() === key && d.ts >= a.window!.start && d.ts <= a.window!.end);
    if (mine.length !== a.stats!.items) out.push(`aggregate ${a.stream.ssrc} [${a.apt}] items ${a.stats!.items} vs ${mine.length}`);
    const r = minRet(a.apt);
    if (a.expiresAt !== (r === null ? null : us(a.window!.start + r))) out.push(`aggregate ${a.stream.ssrc} expiresAt ${a.expiresAt}`);
  }
  if (items !== aggDec.length) out.push(`aggregate items ${items} vs decisions ${aggDec.length}`);
  return out;
}

interface Case {
  name: string;
  capture: string;
  policy: PolicyFile;
  apts: Record<string, Record<string, unknown>>;
}
const cases: Case[] = [];

beforeAll(async () => {
  const sample = JSON.parse(readFileSync(SMALL_POLICY, 'utf8')) as { apts: Record<string, Record<string, unknown>> };
  cases.push({ name: 'committed sample', capture: SMALL_PCAP, policy: parsePolicy(readFileSync(SMALL_POLICY, 'utf8'), SMALL_POLICY), apts: sample.apts });
  const withDefault = { ...catalogApts(), 'apt-def': { type: 'domain', export: 'raw', retention: '60s' } };
  for (const seed of [3, 7, 21]) {
    const g = await ws.generate(smallCapture(seed, 6));
    cases.push({ name: `seed ${seed}`, capture: g.path, policy: policyOf({ apts: catalogApts() }), apts: catalogApts() });
    cases.push({ name: `seed ${seed} default`, capture: g.path, policy: policyOf({ apts: withDefault, default: 'apt-def' }), apts: withDefault });
  }
});

describe('summary, decisions, exports and reports agree', () => {
  for (const i of [0, 1, 2, 3, 4, 5, 6]) {
    it(`case ${i}, workers 0 and 2`, async () => {
      const c = cases[i]!;
      const frameTs = (await readPcapRecords(c.capture)).records.map((r) => us(r.ts));
      for (const workers of [0, 2]) {
        const run = await replayLines({ capture: c.capture, policy: c.policy, workers, explain: true });
        expect(problems(run, frameTs, c.apts), `${c.name} workers ${workers}`).toEqual([]);
        // not vacuous: aggregates everywhere, raw exports in the generated captures
        const t = (run.result.summary as unknown as { telemetry: Record<string, number> }).telemetry;
        expect(t.aggregate).toBeGreaterThan(0);
        if (i > 0) expect(t.export).toBeGreaterThan(0);
      }
    });
  }
});

describe('deciding APTs of statements on one stream', () => {
  const policy = policyOf({
    apts: {
      'apt-raw': { type: 'user', export: 'raw', tier: 'gold' },
      'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' },
      'apt-none': { type: 'user', export: 'none', retention: '1h' },
    },
  });
  it('apt-agg + apt-raw: aggregate [apt-agg] strictest-wins; apt-none + apt-raw: drop export-none [apt-none]', async () => {
    const run = async (lines: string[]) =>
      replay(ws, [...callSetup({ offer: sdp(A, [audio(4000, 1111, lines)]), answer: sdp(B, [audio(5000, 2222)]) }), rtcp(A, B, 4001, 5001, [sr(1111)])], policy);
    const agg = await run(['a=aipref:mid apt-agg', 'a=aipref:mid apt-raw']);
    expect(agg.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}] ${d.rule}`)).toEqual(['4 aggregate aggregated-only [apt-agg] strictest-wins']);
    expect(agg.exports.map((x) => [x.type, x.apt, (x as unknown as { extensions?: unknown }).extensions])).toEqual([['aggregate', ['apt-agg'], undefined]]);
    const none = await run(['a=aipref:mid apt-none', 'a=aipref:mid apt-raw']);
    expect(none.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}] ${d.rule}`)).toEqual(['4 drop export-none [apt-none] strictest-wins']);
  });
});
