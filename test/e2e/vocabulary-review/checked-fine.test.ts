/**
 * Vocabulary review (SPEC §3 terms and values, §4 decisions): checks that came out FINE.
 *
 * Every case replays the two-party call of harness.ts (--workers 0; VOCAB_WORKERS=0,2 compares 2 too)
 * whose preference for `apt-x` arrives by the INVITE's AI-Pref header (scope=dialog), by the SDP
 * offer's and answer's `a=aipref:session`, or — for bare identifiers resolved by the policy file —
 * by an SDES PRIV `aipref` tag; one RTCP compound from A carries, in order, an SR (report block on
 * B) → media-metrics, SDES CNAME → sdes, APP → app, RTPFB NACK and PSFB PLI → feedback, XR VoIP
 * metrics → rtcp-xr. Each check names what it checks.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { cli, ensureBuilt, kill, offline, startLive, stopAndRead, tempDir, untilReceived, type LiveChild } from '../../live/live-vs-replay-review/lvr-helpers.js';
import { srFrom, T0 } from '../two-party-rtcp.js';
import { judge, judgeRaw, replayTwoParty, type Judged } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const FEATURES = ['media-metrics', 'sdes', 'app', 'feedback', 'feedback', 'rtcp-xr'] as const;
type Outcome = 'E' | 'A' | 'D';
const OUT: Record<Outcome, string> = { E: 'export raw-allowed', A: 'aggregate aggregated-only', D: '' };

/** Expected lines: every feature in `allowed` gets `outcome`, the others feature-not-allowed; `allowed` null = all. */
function expected(outcome: Outcome, allowed: readonly string[] | null, dropReason = 'export-none'): string[] {
  return FEATURES.map((f) => (outcome === 'D' ? `${f} drop ${dropReason}` : allowed === null || allowed.includes(f) ? `${f} ${OUT[outcome]}` : `${f} drop feature-not-allowed`));
}
/** retention of each export: expiresAt − capture time (an aggregate's: − its window start); null when none */
const retentions = (r: Judged) => [...new Set(r.exports.map((e) => (e.expiresAt === null ? null : +(e.expiresAt - (e.type === 'aggregate' ? e.window!.start : e.ts)).toFixed(6))))];
const reportTypes = (r: Judged) => [...new Set(r.reports.map((x) => x.type).filter((t) => t !== 'implicit-binding'))].sort();
const params = (text: string): [string, string][] => text.split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]);

interface Row {
  /** parameters as name=value words */
  p: string;
  outcome: Outcome;
  allowed?: string[] | null;
  dropReason?: string;
  /** the retention every export carries (seconds), null = expiresAt null */
  ret?: number | null;
  /** report types besides implicit-binding */
  reports?: string[];
  rule?: string;
}

/**
 * The table: each row's preference through the header and through SDP gives the same decisions,
 * exactly the row's (SPEC §3 values and "most restrictive" reading, §4 decisions).
 */
const TABLE: Record<string, Row> = {
  // export values (§3: none | aggregated-only | raw; absent → none, §3/§4 absence not consent)
  'export=raw': { p: 'export=raw', outcome: 'E', ret: null },
  'export=aggregated-only': { p: 'export=aggregated-only', outcome: 'A', ret: null },
  'export=none': { p: 'export=none retention=1h', outcome: 'D' },
  'export absent → none (rule not-stated)': { p: 'retention=1h', outcome: 'D', rule: 'not-stated' },
  'export value case (RAW)': { p: 'export=RAW', outcome: 'E' },
  'export value case (Aggregated-Only)': { p: 'export=Aggregated-Only', outcome: 'A' },
  'unknown export value → none, reported': { p: 'export=maybe', outcome: 'D', reports: ['inconsistent-signaling'] },
  // features (§3 list; absent = no restriction; unknown members grant nothing; §4 feature classes)
  'features=media-metrics (SR)': { p: 'export=raw features=media-metrics', outcome: 'E', allowed: ['media-metrics'] },
  'features=rtcp-xr (XR block)': { p: 'export=raw features=rtcp-xr', outcome: 'E', allowed: ['rtcp-xr'] },
  'features=feedback (NACK, PLI)': { p: 'export=raw features=feedback', outcome: 'E', allowed: ['feedback'] },
  'features=sdes (CNAME)': { p: 'export=raw features=sdes', outcome: 'E', allowed: ['sdes'] },
  'features=app (APP)': { p: 'export=raw features=app', outcome: 'E', allowed: ['app'] },
  'features list': { p: 'export=raw features=media-metrics,app', outcome: 'E', allowed: ['media-metrics', 'app'] },
  'features member case': { p: 'export=raw features=MEDIA-METRICS', outcome: 'E', allowed: ['media-metrics'] },
  'unknown feature member grants nothing, reported': { p: 'export=raw features=media-metrics,video', outcome: 'E', allowed: ['media-metrics'], reports: ['inconsistent-signaling'] },
  // retention forms (§3: 0, 90s, 15m, 24h, 7d; expiresAt = capture time + retention, §4)
  'retention=0 → never written': { p: 'export=raw retention=0', outcome: 'D', dropReason: 'retention-zero' },
  'retention=0s': { p: 'export=raw retention=0s', outcome: 'D', dropReason: 'retention-zero' },
  'retention=0 with aggregated-only': { p: 'export=aggregated-only retention=0', outcome: 'D', dropReason: 'retention-zero' },
  'retention=1 (bare seconds)': { p: 'export=raw retention=1', outcome: 'E', ret: 1 },
  'retention=90s': { p: 'export=raw retention=90s', outcome: 'E', ret: 90 },
  'retention=15m': { p: 'export=raw retention=15m', outcome: 'E', ret: 900 },
  'retention=24h': { p: 'export=raw retention=24h', outcome: 'E', ret: 86400 },
  'retention=7d': { p: 'export=raw retention=7d', outcome: 'E', ret: 604800 },
  'retention unit case 24H': { p: 'export=raw retention=24H', outcome: 'E', ret: 86400 },
  'retention=90s on an aggregate': { p: 'export=aggregated-only retention=90s', outcome: 'A', ret: 90 },
  'largest: a century (36500d)': { p: 'export=raw retention=36500d', outcome: 'E', ret: 3153600000 },
  'one past a century (36501d) → a century': { p: 'export=raw retention=36501d', outcome: 'E', ret: 3153600000 },
  'one second past a century → a century': { p: 'export=raw retention=3153600001', outcome: 'E', ret: 3153600000 },
  'largest safe integer of seconds (2^53−1) → a century': { p: 'export=raw retention=9007199254740991s', outcome: 'E', ret: 3153600000 },
  'fractional 1.5h → 0 (most restrictive), reported': { p: 'export=raw retention=1.5h', outcome: 'D', dropReason: 'retention-zero', reports: ['inconsistent-signaling'] },
  'fractional 0.5s → 0, reported': { p: 'export=raw retention=0.5s', outcome: 'D', dropReason: 'retention-zero', reports: ['inconsistent-signaling'] },
  'negative → 0, reported': { p: 'export=raw retention=-5s', outcome: 'D', dropReason: 'retention-zero', reports: ['inconsistent-signaling'] },
  'unknown unit 1w → 0, reported': { p: 'export=raw retention=1w', outcome: 'D', dropReason: 'retention-zero', reports: ['inconsistent-signaling'] },
  // type, version, policy (§3), unknown keys (passed through, never guessed)
  'type=user': { p: 'type=user export=raw retention=1h', outcome: 'E', ret: 3600, rule: 'single-statement' },
  'type=domain': { p: 'type=domain export=raw retention=1h', outcome: 'E', ret: 3600 },
  'type=regulatory': { p: 'type=regulatory export=raw retention=1h', outcome: 'E', ret: 3600, rule: 'regulatory-floor' },
  'type value case (USER)': { p: 'type=USER export=raw retention=1h', outcome: 'E', rule: 'single-statement' },
  'unknown type → regulatory floor, reported': { p: 'type=vendor export=raw retention=1h', outcome: 'E', rule: 'regulatory-floor', reports: ['inconsistent-signaling'] },
  'version=1': { p: 'version=1 export=raw retention=1h', outcome: 'E' },
  'policy=strictest-wins': { p: 'policy=strictest-wins export=raw retention=1h', outcome: 'E', reports: [] },
  'policy value case': { p: 'policy=Strictest-Wins export=raw retention=1h', outcome: 'E', reports: [] },
  'unknown policy reported, strictest-wins applied': { p: 'policy=lenient-wins export=raw retention=1h', outcome: 'E', reports: ['inconsistent-signaling'] },
  // repeated terms: ambiguous → the identifier is unresolved (most restrictive), reported
  'export given twice': { p: 'export=raw export=none retention=1h', outcome: 'D', rule: 'unresolved-apt', reports: ['malformed-input', 'unresolved-apt'] },
  'export given twice in different case': { p: 'export=raw EXPORT=none retention=1h', outcome: 'D', rule: 'unresolved-apt', reports: ['malformed-input', 'unresolved-apt'] },
  'retention given twice': { p: 'export=raw retention=1h retention=2h', outcome: 'D', rule: 'unresolved-apt', reports: ['malformed-input', 'unresolved-apt'] },
  // combinations (inspect vs keep vs export)
  'raw + features + retention': { p: 'export=raw features=media-metrics,rtcp-xr retention=15m', outcome: 'E', allowed: ['media-metrics', 'rtcp-xr'], ret: 900 },
  'aggregated-only + features + retention': { p: 'export=aggregated-only features=sdes,app retention=7d', outcome: 'A', allowed: ['sdes', 'app'], ret: 604800 },
  'none + features: none wins': { p: 'export=none features=media-metrics retention=1h', outcome: 'D' },
};

describe('SPEC §3 vocabulary table, header and SDP carriers give the same decision', () => {
  let n = 0;
  for (const [name, row] of Object.entries(TABLE)) {
    it(name, async () => {
      const runs: Judged[] = [];
      for (const carrier of ['header', 'sdp'] as const) {
        const r = await judge(ws, `t${n++}`, carrier, 'apt-x', params(row.p));
        expect(r.lines, carrier).toEqual(expected(row.outcome, row.allowed ?? null, row.dropReason));
        if (row.ret !== undefined) expect(retentions(r), carrier).toEqual(row.outcome === 'D' ? [] : [row.ret]);
        if (row.outcome === 'D') expect(r.exports, carrier).toEqual([]);
        if (row.reports !== undefined) expect(reportTypes(r), carrier).toEqual(row.reports);
        if (row.rule !== undefined) expect([...new Set(r.decisions.map((d) => d.rule))], carrier).toEqual([row.rule]);
        for (const d of r.decisions) expect(d.apt, carrier).toEqual(['apt-x']);
        runs.push(r);
      }
      // carrier equality (SPEC §3: one statement, whichever carrier): decisions, rules, retention
      expect(runs[1]!.decisions.map((d) => [d.feature, d.decision, d.reason, d.rule])).toEqual(runs[0]!.decisions.map((d) => [d.feature, d.decision, d.reason, d.rule]));
      expect(retentions(runs[1]!)).toEqual(retentions(runs[0]!));
    });
  }
});

it('aggregated-only + features + retention 0: nothing kept (features decide first, then retention-zero)', async () => {
  for (const carrier of ['header', 'sdp'] as const) {
    const r = await judge(ws, `agg-f-0-${carrier}`, carrier, 'apt-x', params('export=aggregated-only features=media-metrics retention=0'));
    expect(r.lines).toEqual(FEATURES.map((f) => `${f} drop ${f === 'media-metrics' ? 'retention-zero' : 'feature-not-allowed'}`));
    expect(r.exports).toEqual([]);
  }
});

describe('bare identifiers: header, SDP and SDES PRIV carriers resolve the policy file statement alike', () => {
  const P = { apts: { 'apt-x': { type: 'user', export: 'aggregated-only', retention: '15m', features: ['media-metrics', 'rtcp-xr', 'sdes'] } } };
  it('AI-Pref: apt-x = a=aipref:session apt-x = a=aipref:mid apt-x = SDES PRIV aipref apt-x', async () => {
    const runs = [
      await judgeRaw(ws, 'bare-h', { aHeaders: ['AI-Pref: apt-x'], policy: P }),
      await judgeRaw(ws, 'bare-s', { aLines: ['a=aipref:session apt-x'], bLines: ['a=aipref:session apt-x'], policy: P }),
      await judgeRaw(ws, 'bare-m', { aLines: ['a=aipref:mid apt-x'], bLines: ['a=aipref:mid apt-x'], policy: P }),
      await judgeRaw(ws, 'bare-t', { tagA: 'apt-x', tagB: 'apt-x', policy: P }),
      await judgeRaw(ws, 'bare-q', { tagA: '"apt-x"', tagB: '"apt-x"', policy: P }),
    ];
    for (const r of runs) {
      expect(r.lines).toEqual(expected('A', ['media-metrics', 'rtcp-xr', 'sdes']));
      expect(retentions(r)).toEqual([900]);
      expect(r.decisions.every((d) => d.apt.join() === 'apt-x' && d.rule === 'single-statement')).toBe(true);
    }
  });
  it('identifiers are case-sensitive alike on every carrier (APT-X is not apt-x: unresolved, dropped)', async () => {
    const Q = { apts: { 'apt-x': { export: 'raw', retention: '1h' } } };
    for (const r of [
      await judgeRaw(ws, 'case-h', { aHeaders: ['AI-Pref: APT-X'], policy: Q }),
      await judgeRaw(ws, 'case-s', { aLines: ['a=aipref:session APT-X'], bLines: ['a=aipref:session APT-X'], policy: Q }),
      await judgeRaw(ws, 'case-t', { tagA: 'APT-X', tagB: 'APT-X', policy: Q }),
    ]) {
      expect(r.lines).toEqual(expected('D', null));
      expect(r.decisions.every((d) => d.rule === 'unresolved-apt')).toBe(true);
    }
  });
});

describe('case, whitespace and quoting on the wire', () => {
  const RAW_MM_XR = expected('E', ['media-metrics', 'rtcp-xr']);
  it('AI-Pref with spaces around ; and = and a quoted list (RFC 3261 SEMI/EQUAL allow SWS)', async () => {
    const r = await judgeRaw(ws, 'ws-h', { aHeaders: ['AI-Pref:   apt-x ; export = raw ; retention = 1h ;features = "media-metrics, rtcp-xr"  '] });
    expect(r.lines).toEqual(RAW_MM_XR);
    expect(retentions(r)).toEqual([3600]);
  });
  it('AI-Pref header name and parameter names in any case, tabs as whitespace, quoted values', async () => {
    for (const h of ['ai-pref: apt-x;EXPORT=RAW;Retention=1H', 'AI-Pref:\tapt-x\t;\texport=raw;retention=1h', 'AI-Pref: apt-x;export="raw";retention="1h"']) {
      const r = await judgeRaw(ws, `hc${h.length}`, { aHeaders: [h] });
      expect(r.lines).toEqual(expected('E', null));
      expect(retentions(r)).toEqual([3600]);
    }
  });
  it('a=aipref with extra spaces, tabs, a space on both sides of the list comma (SPEC §2.3), scope in upper case, quoted values', async () => {
    const lines = [
      'a=aipref:session  apt-x   export=raw\tretention=1h  features=media-metrics ,  rtcp-xr ',
      'a=aipref:SESSION apt-x export=raw retention=1h features=media-metrics, rtcp-xr',
      'a=aipref:session apt-x export="raw" retention="1h" features="media-metrics, rtcp-xr"',
    ];
    for (const [i, l] of lines.entries()) {
      const r = await judgeRaw(ws, `sc${i}`, { aLines: [l], bLines: [l] });
      expect(r.lines).toEqual(RAW_MM_XR);
      expect(retentions(r)).toEqual([3600]);
    }
  });
  it('an unquoted comma in the AI-Pref header separates values: `features=media-metrics,rtcp-xr` makes "rtcp-xr" an (unresolved) identifier → all dropped, never more permissive', async () => {
    const r = await judgeRaw(ws, 'unq', { aHeaders: ['AI-Pref: apt-x;export=raw;retention=1h;features=media-metrics,rtcp-xr'] });
    expect(r.lines).toEqual(expected('D', null));
    expect(r.exports).toEqual([]);
  });
  it('a valueless `export` (header `;export`, SDP flag `export`) reads as none', async () => {
    expect((await judgeRaw(ws, 'flag-h', { aHeaders: ['AI-Pref: apt-x;export;retention=1h'] })).lines).toEqual(expected('D', null));
    expect((await judgeRaw(ws, 'flag-s', { aLines: ['a=aipref:session apt-x export retention=1h'], bLines: ['a=aipref:session apt-x export retention=1h'] })).lines).toEqual(expected('D', null));
  });
  it('unknown keys are passed through as `extensions` by APT (header parameter names lowercased like SDP ones; first of a repeated unknown kept)', async () => {
    for (const r of [await judge(ws, 'ext-h', 'header', 'apt-x', params('Tier=Gold export=raw retention=1h')), await judge(ws, 'ext-s', 'sdp', 'apt-x', params('Tier=Gold tier=silver export=raw retention=1h'))]) {
      expect(r.lines).toEqual(expected('E', null));
      expect(r.exports.every((e) => JSON.stringify(e.extensions) === '{"apt-x":{"tier":"Gold"}}')).toBe(true);
    }
  });
});

describe('one statement across carriers and several statements (SPEC §3 merging and precedence)', () => {
  it("SPEC's own example: type=user from the header and export=raw from the SDP are one user statement, nothing reported", async () => {
    const l = 'a=aipref:session apt-x export=raw retention=1h';
    const r = await judgeRaw(ws, 'spec-ex', { aHeaders: ['AI-Pref: apt-x;type=user'], aLines: [l], bLines: [l] });
    expect(r.lines).toEqual(expected('E', null));
    expect(reportTypes(r)).toEqual([]);
  });
  it('header and SDP disagreeing on export/retention: most restrictive kept, inconsistent-signaling', async () => {
    const l = 'a=aipref:session apt-x export=aggregated-only retention=15m';
    const r = await judgeRaw(ws, 'disagree', { aHeaders: ['AI-Pref: apt-x;export=raw;retention=1h'], aLines: [l], bLines: [l] });
    expect(r.lines).toEqual(expected('A', null));
    expect(retentions(r)).toEqual([900]);
    expect(reportTypes(r)).toEqual(['inconsistent-signaling']);
  });
  it('two AI-Pref header instances of one id disagreeing: most restrictive kept', async () => {
    const r = await judgeRaw(ws, 'two-h', { aHeaders: ['AI-Pref: apt-x;export=raw;retention=1h', 'AI-Pref: apt-x;export=aggregated-only;retention=2h'] });
    expect(r.lines).toEqual(expected('A', null));
    expect(retentions(r)).toEqual([3600]);
  });
  it('the same retention written 24h / 1d / 86400 across carriers is no disagreement', async () => {
    const r = await judgeRaw(ws, 'same-ret', { aHeaders: ['AI-Pref: apt-x;export=raw;retention=24h'], aLines: ['a=aipref:session apt-x export=raw retention=1d'], bLines: ['a=aipref:session apt-x export=raw retention=86400'] });
    expect(r.lines).toEqual(expected('E', null));
    expect(reportTypes(r)).toEqual([]);
  });
  it('version: the higher version replaces the lower whichever carrier brought it', async () => {
    const v2agg = 'a=aipref:session apt-x version=2 export=aggregated-only retention=1h';
    const v1agg = 'a=aipref:session apt-x version=1 export=aggregated-only retention=1h';
    expect((await judgeRaw(ws, 'v12', { aHeaders: ['AI-Pref: apt-x;version=1;export=raw;retention=1h'], aLines: [v2agg], bLines: [v2agg] })).lines).toEqual(expected('A', null));
    expect((await judgeRaw(ws, 'v21', { aHeaders: ['AI-Pref: apt-x;version=2;export=raw;retention=1h'], aLines: [v1agg], bLines: [v1agg] })).lines).toEqual(expected('E', null));
  });
  it('user overrides domain; regulatory is a floor; same rank strictest-wins (features intersect, shortest retention)', async () => {
    const u = await judgeRaw(ws, 'ud', { aHeaders: ['AI-Pref: apt-u;type=user;export=raw;retention=1h', 'AI-Pref: apt-d;type=domain;export=aggregated-only;retention=15m'] });
    expect(u.lines).toEqual(expected('E', null));
    expect(retentions(u)).toEqual([3600]);
    expect(u.decisions.every((d) => d.rule === 'user-overrides-domain' && d.apt.join() === 'apt-u')).toBe(true);
    const f = await judgeRaw(ws, 'reg', { aHeaders: ['AI-Pref: apt-u;type=user;export=raw;retention=1h', 'AI-Pref: apt-r;type=regulatory;export=aggregated-only;retention=15m;features="media-metrics"'] });
    expect(f.lines).toEqual(expected('A', ['media-metrics']));
    expect(retentions(f)).toEqual([900]);
    expect(f.decisions.every((d) => d.rule === 'regulatory-floor' && d.apt.join() === 'apt-r')).toBe(true);
    const s = await judgeRaw(ws, 'rank', { aHeaders: ['AI-Pref: apt-a;type=user;export=raw;retention=1h;features="media-metrics,sdes"', 'AI-Pref: apt-b;type=user;export=aggregated-only;retention=2h;features="media-metrics,app"'] });
    expect(s.lines).toEqual(expected('A', ['media-metrics']));
    expect(retentions(s)).toEqual([3600]);
  });
});

describe('SPEC §4 item mapping under two streams, binding items and BYE text', () => {
  it('sender raw 1h, reported-on source aggregated-only 15m: items about B take B\'s (stricter), A-only items A\'s; MID/PRIV never exported; BYE reason with sdes allowed', async () => {
    const voipB = { bt: 7, ssrc: 2222, lossRate: 1, discardRate: 0, burstDensity: 0, gapDensity: 0, burstDuration: 0, gapDuration: 0, roundTripDelay: 20, endSystemDelay: 30, signalLevel: 127, noiseLevel: 127, rerl: 127, gmin: 16, rFactor: 90, extRFactor: 127, mosLq: 41, mosCq: 42, rxConfig: 0, jbNominal: 20, jbMaximum: 40, jbAbsMax: 60 };
    const r = await replayTwoParty(ws, 'two-streams', {
      policy: { apts: { 'apt-a': { type: 'user', export: 'raw', retention: '1h' }, 'apt-b': { type: 'user', export: 'aggregated-only', retention: '15m', features: ['media-metrics', 'rtcp-xr', 'feedback'] } } },
      rtcp: [
        { ts: 0.5, fromA: false, packets: [{ pt: 201, ssrc: 2222, reports: [] }, { pt: 202, ssrc: 2222, chunks: [{ ssrc: 2222, items: [{ type: 8, prefix: 'aipref', value: 'apt-b' }] }] }] as never },
        { ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1, [{ ssrc: 2222 }]), { pt: 202, ssrc: 1111, chunks: [{ ssrc: 1111, items: [{ type: 1, text: 'alice' }, { type: 12, text: 'a' }, { type: 8, prefix: 'aipref', value: 'apt-a' }, { type: 7, text: 'note' }] }] }, { pt: 204, ssrc: 1111, subtype: 0, name: 'TEST', dataLength: 0 }, { pt: 206, ssrc: 1111, fmt: 1, senderSsrc: 1111, mediaSsrc: 2222 }, { pt: 207, ssrc: 1111, blocks: [voipB, { ...voipB, ssrc: 1111 }] }, { pt: 203, ssrc: 1111, ssrcs: [1111], reason: 'leaving now' }] as never },
      ],
    });
    const ofA = r.decisions.filter((d) => d.ssrc === 1111).map((d) => `${d.pt}${d.block === undefined ? '' : '/' + d.block} ${d.decision} ${d.apt.join('+')}`);
    expect(ofA).toEqual(['200 aggregate apt-b', '202 export apt-a', '204 export apt-a', '206 aggregate apt-b', '207/0 aggregate apt-b', '207/1 export apt-a', '203 export apt-a']);
    const sdes = r.exports.find((e) => e.item?.['pt'] === 202)!;
    expect(JSON.stringify(sdes.item)).toBe('{"pt":202,"ssrc":1111,"chunks":[{"ssrc":1111,"items":[{"type":1,"text":"alice"},{"type":7,"text":"note"}]}]}');
    expect(r.exports.find((e) => e.item?.['pt'] === 203)!.item!['reason']).toBe('leaving now');
    for (const e of r.exports) expect(e.expiresAt! - (e.window?.start ?? e.ts)).toBe(e.apt.join() === 'apt-a' ? 3600 : 900);
  });
  it('BYE reason text left out where sdes is not allowed (features=media-metrics)', async () => {
    const l = 'a=aipref:session apt-x export=raw retention=1h features=media-metrics';
    const r = await replayTwoParty(ws, 'bye-text', { aLines: [l], bLines: [l], policy: { apts: {} }, rtcp: [{ ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1), { pt: 203, ssrc: 1111, ssrcs: [1111], reason: 'secret reason' }] as never }] });
    const bye = r.exports.find((e) => e.item?.['pt'] === 203)!;
    expect(bye.decision).toBe('export');
    expect(JSON.stringify(r.exports)).not.toContain('secret reason');
  });
  it('an aggregate of SDES text (aggregated-only, no features key) holds counts only, never the text', async () => {
    const r = await judge(ws, 'agg-sdes', 'sdp', 'apt-x', params('export=aggregated-only retention=1h'));
    expect(r.lines).toEqual(expected('A', null));
    expect(r.exports.map((e) => e.type)).toEqual(['aggregate']);
    expect(JSON.stringify(r.exports)).not.toContain('alice');
  });
});

describe('live (UDP mirror of whole IP packets) maps the vocabulary as replay does', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, cleanup } = await tempDir('vocab-live-'));
  });
  afterAll(async () => cleanup?.());
  const CASES: [string, 'header' | 'sdp', string][] = [
    ['agg-features-15m', 'sdp', 'export=aggregated-only retention=15m features=media-metrics,rtcp-xr'],
    ['raw-90s-header', 'header', 'type=user export=raw retention=90s features=sdes,app'],
  ];
  for (const [name, carrier, p] of CASES) {
    it(`${name}: same decisions (but arrival times) and the same retention as offline`, async () => {
      await judge(ws, name, carrier, 'apt-x', params(p));
      const capture = await ws.file(`${name}.pcap`);
      const off = await offline(capture, path.join(dir, `${name}-off`), ['--explain']);
      let live: LiveChild | undefined;
      try {
        const out = path.join(dir, `${name}-live`);
        const s = await startLive(out, ['--udp', '127.0.0.1:0', '--udp-mode', 'ip-packet', '--explain']);
        live = s.live;
        await cli(['replay', capture, '--to', `udp://127.0.0.1:${s.addresses.udp!.port}`, '--speed', '0', '--udp-mode', 'ip-packet']);
        await untilReceived(s.addresses.metrics!.port, 'udp', 4);
        await new Promise((r) => setTimeout(r, 300));
        const got = await stopAndRead(live, out, true);
        const strip = (ls: Record<string, unknown>[]) => ls.map(({ ts: _t, ...rest }) => rest);
        expect(strip(got.decisions)).toEqual(strip(off.decisions));
        const ret = (ls: Record<string, unknown>[]) => ls.map((e) => [e['type'], e['decision'], +((e['expiresAt'] as number) - ((e['window'] as { start: number } | undefined)?.start ?? (e['ts'] as number))).toFixed(3)]);
        expect(ret(got.exports)).toEqual(ret(off.exports));
        expect(got.exports.length).toBeGreaterThan(0);
      } finally {
        kill(live);
      }
    }, 40_000);
  }
});
