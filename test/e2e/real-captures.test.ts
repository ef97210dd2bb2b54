/**
 * Issue 5 on real captures: absence is not consent (no policy → every item dropped with
 * `no-preference`, nothing exported), and a repository entry for heplify's dialog makes its
 * telemetry follow the APT it names (raw, then aggregated-only).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  type DecisionLine,
  type ExportLine,
  parseLines,
  type ReportLine,
  policyOf,
  replayLines,
  sharedCapture,
  Workspace,
} from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const HEPLIFY = sharedCapture('heplify_sip_ipv4_tcp.pcap');
const DIALOG = { callId: '158936656982201062716@10.33.6.100', fromTag: '1c1589367133', toTag: '1c342958875' };
const SSRCS = [1123300308, 1513316787];

describe('absence is not consent: the shared captures without a policy', () => {
  // telemetry items per capture (tshark: heplify has two SR+SDES compounds, rtpproxy .o one)
  const ITEMS: [file: string, items: number][] = [
    ['heplify_sip_ipv4_tcp.pcap', 4],
    ['heplify_sip_ipv6_udp.pcap', 0],
    ['heplify_ipip0.pcap', 0],
    ['rtpproxy_rtcp.a.pcap', 0],
    ['rtpproxy_rtcp.o.pcap', 2],
  ];
  for (const [file, items] of ITEMS) {
    it(`${file}: ${items} items, every one dropped with no-preference, nothing exported`, async () => {
      for (const workers of [0, 1]) {
        const run = await replayLines({ capture: sharedCapture(file), workers, explain: true });
        const decisions = parseLines<DecisionLine>(run.decisions);
        expect(decisions.length).toBe(items);
        for (const d of decisions) {
          expect(d).toMatchObject({ decision: 'drop', reason: 'no-preference', apt: [] });
        }
        expect(run.exports).toEqual([]);
        expect(run.result.summary.telemetry).toEqual({ export: 0, aggregate: 0, drop: items });
      }
    });
  }
});

describe('state limits say which limit', () => {
  it('heplify_sip_ipv6_udp.pcap: its timestamps jump by years between frames, and no single jump idles the call out', async () => {
    const run = await replayLines({ capture: sharedCapture('heplify_sip_ipv6_udp.pcap'), workers: 0 });
    const limits = parseLines<{ type: string; detail: string }>(run.reports).filter((r) => r.type === 'state-limit');
    expect(limits).toEqual([]);
    expect(run.result.summary.dialogs).toBe(1);
  });
});

describe("the operator's default APT (SPEC §9 `default`)", () => {
  const apts = { 'op-default': { type: 'domain', export: 'raw', retention: '90s', features: ['media-metrics'] } };

  it('rtpproxy_rtcp.o: a stream no dialog binds is reported unbound and judged by the default', async () => {
    const run = await replayLines({ capture: sharedCapture('rtpproxy_rtcp.o.pcap'), policy: policyOf({ apts, default: 'op-default' }), explain: true });
    expect(parseLines<DecisionLine>(run.decisions).map((d) => [d.ssrc, d.pt, d.decision, d.reason, d.apt])).toEqual([
      [4090175489, 200, 'export', 'raw-allowed', ['op-default']],
      [4090175489, 202, 'drop', 'feature-not-allowed', ['op-default']],
    ]);
    const [x, ...more] = parseLines<ExportLine>(run.exports);
    expect(more).toEqual([]);
    expect(x).toMatchObject({ type: 'telemetry', dialog: null, stream: { ssrc: 4090175489 }, apt: ['op-default'] });
    expect(x!.expiresAt).toBe(Math.round((x!.ts + 90) * 1e6) / 1e6);
    const unbound = parseLines<ReportLine>(run.reports).filter((r) => r.type === 'unbound-stream');
    expect(unbound.map((r) => r.ssrc)).toEqual([4090175489]);
  });

  it('a default the policy does not define resolves to nothing: still dropped', async () => {
    const run = await replayLines({ capture: sharedCapture('rtpproxy_rtcp.o.pcap'), policy: policyOf({ apts, default: 'no-such-apt' }), explain: true });
    expect(parseLines<DecisionLine>(run.decisions).every((d) => d.decision === 'drop')).toBe(true);
    expect(run.exports).toEqual([]);
  });

  it('heplify with a repository entry: the entry governs, not the default', async () => {
    const policy = policyOf({
      apts: { ...apts, 'urn:example:heplify-none': { type: 'user', export: 'none', retention: '0' } },
      dialogs: [{ callId: DIALOG.callId, apt: ['urn:example:heplify-none'] }],
      default: 'op-default',
    });
    const run = await replayLines({ capture: HEPLIFY, policy, explain: true });
    expect(parseLines<DecisionLine>(run.decisions).map((d) => d.reason)).toEqual(['export-none', 'export-none', 'export-none', 'export-none']);
    expect(run.exports).toEqual([]);
  });
});

describe("heplify_sip_ipv4_tcp with a repository entry for its dialog", () => {
  const apts = {
    'urn:example:heplify-raw': { type: 'user', export: 'raw', retention: '15m' },
    'urn:example:heplify-agg': { type: 'domain', export: 'aggregated-only', retention: '24h', features: ['media-metrics'] },
  };

  it('export: raw → every item exported with the dialog, the stream and expiresAt = ts + 15 min', async () => {
    const policy = policyOf({ apts, dialogs: [{ callId: DIALOG.callId, apt: ['urn:example:heplify-raw'] }] });
    const run = await replayLines({ capture: HEPLIFY, policy, explain: true });
    const decisions = parseLines<DecisionLine>(run.decisions);
    expect(decisions.map((d) => [d.frame, d.ssrc, d.pt, d.feature, d.decision, d.reason, d.apt])).toEqual([
      [14, 1123300308, 200, 'media-metrics', 'export', 'raw-allowed', ['urn:example:heplify-raw']],
      [14, 1123300308, 202, 'sdes', 'export', 'raw-allowed', ['urn:example:heplify-raw']],
      [17, 1513316787, 200, 'media-metrics', 'export', 'raw-allowed', ['urn:example:heplify-raw']],
      [17, 1513316787, 202, 'sdes', 'export', 'raw-allowed', ['urn:example:heplify-raw']],
    ]);
    const exports = parseLines<ExportLine>(run.exports);
    expect(exports.length).toBe(4);
    for (const [i, x] of exports.entries()) {
      const d = decisions[i]!;
      expect(x.type).toBe('telemetry');
      expect(x.decision).toBe('export');
      expect(x.dialog).toEqual(DIALOG);
      expect(x.stream).toEqual({ ssrc: d.ssrc, mid: null, kind: 'audio' });
      expect(x.ts).toBe(d.ts);
      expect(x.expiresAt).toBe(Math.round((d.ts + 900) * 1e6) / 1e6);
      expect(x.apt).toEqual(['urn:example:heplify-raw']);
      expect(x.item).toMatchObject({ pt: d.pt, ssrc: d.ssrc });
    }
    expect(new Set(exports.map((x) => x.requestId)).size).toBe(4);
    const bindings = run.result.bindings;
    expect(bindings.map((b) => b.ssrc).sort()).toEqual(SSRCS);
    for (const b of bindings) expect(b.apt).toEqual(['urn:example:heplify-raw']);
  });

  it('export: aggregated-only (media-metrics) → SRs aggregated into one window per stream, SDES dropped, nothing raw', async () => {
    const policy = policyOf({ apts, dialogs: [{ callId: DIALOG.callId, fromTag: DIALOG.fromTag, toTag: DIALOG.toTag, apt: ['urn:example:heplify-agg'] }] });
    const run = await replayLines({ capture: HEPLIFY, policy, explain: true });
    const decisions = parseLines<DecisionLine>(run.decisions);
    expect(decisions.map((d) => [d.frame, d.pt, d.decision, d.reason])).toEqual([
      [14, 200, 'aggregate', 'aggregated-only'],
      [14, 202, 'drop', 'feature-not-allowed'],
      [17, 200, 'aggregate', 'aggregated-only'],
      [17, 202, 'drop', 'feature-not-allowed'],
    ]);
    const exports = parseLines<ExportLine>(run.exports);
    expect(exports.every((x) => x.type === 'aggregate')).toBe(true);
    expect(exports.map((x) => x.stream.ssrc).sort()).toEqual(SSRCS);
    for (const x of exports) {
      expect(x.dialog).toEqual(DIALOG);
      expect(x.apt).toEqual(['urn:example:heplify-agg']);
      // it expires with its first item, at the window start (SPEC §3: retention counts from capture)
      expect(x.expiresAt).toBe(Math.round((x.window!.start + 86400) * 1e6) / 1e6);
      expect(x.window!.start).toBeLessThanOrEqual(x.window!.end);
      expect(JSON.stringify(x.stats)).not.toMatch(/"ssrc"/);
    }
  });

  it('an entry whose from-tag does not match the dialog binds nothing: still no-preference', async () => {
    const policy = policyOf({ apts, dialogs: [{ callId: DIALOG.callId, fromTag: 'not-the-tag', apt: ['urn:example:heplify-raw'] }] });
    const run = await replayLines({ capture: HEPLIFY, policy, explain: true });
    expect(parseLines<DecisionLine>(run.decisions).map((d) => d.reason)).toEqual(['no-preference', 'no-preference', 'no-preference', 'no-preference']);
    expect(run.exports).toEqual([]);
  });

  it('the same with workers: identical lines', async () => {
    const policy = policyOf({ apts, dialogs: [{ callId: DIALOG.callId, apt: ['urn:example:heplify-raw'] }] });
    const a = await replayLines({ capture: HEPLIFY, policy, explain: true, workers: 0 });
    const b = await replayLines({ capture: HEPLIFY, policy, explain: true, workers: 2 });
    expect(b.exports).toEqual(a.exports);
    expect(b.decisions).toEqual(a.decisions);
    expect(b.reports).toEqual(a.reports);
  });
});
