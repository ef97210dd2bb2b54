/**
 * Checks of the operator-facing counters that came out fine (metrics review):
 * 1. replay --explain --json, --workers 0 and 2: the summary agrees with the files — telemetry
 *    {export, aggregate, drop} = decisions.ndjson by decision; exported telemetry = `telemetry`
 *    lines; aggregated items = Σ stats.items of the `aggregate` lines; reports by type =
 *    reports.ndjson by type; malformed = malformed-input lines — the human summary's "N lines" are
 *    the files' line counts, and both worker counts give the same summary.
 * 2. live over HEP (call-small.pcap sent by `replay --to hep://`), --workers 2: at the end
 *    aipref_packets_total{proto} = the stop summary's rtp/rtcp/sip; decisions_total{outcome} =
 *    decisions files = summary telemetry; drops_total{reason} = drop decisions by reason;
 *    reports_total{type} = reports files = summary reports; source_records received = packets sent.
 * 3. the same run: /metrics is `text/plain; version=0.0.4`, answers while the capture is being sent,
 *    every counter sample is non-decreasing from scrape to scrape; no label value is a Call-ID, an
 *    SSRC or an APT identifier (label values only from fixed sets); other paths 404; /healthz 200 JSON.
 * 4. --nats with a user and password in the URL: neither /metrics, /healthz nor any log line
 *    carries the password; /healthz says 503 ("unhealthy", stopping) once SIGTERM drains.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sendSrs } from '../../live-delivery/live-fixtures.js';
import { freeTcpPort, NATS_SERVER } from '../../export/nats-server-process.js';
import { cli, ensureBuilt, LiveChild, readLines, REPO } from '../live-helpers.js';
import { metric, samples, tempWithRawPolicy } from '../review/review-helpers.js';

const SMALL = path.join(REPO, 'samples/call-small.pcap');
const POLICY = path.join(REPO, 'samples/policy.json');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function temp(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
type Line = Record<string, unknown>;
const countBy = (lines: Line[], key: (l: Line) => string): Record<string, number> => {
  const m: Record<string, number> = {};
  for (const l of lines) m[key(l)] = (m[key(l)] ?? 0) + 1;
  return m;
};
const sortObj = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

describe('replay: the summary counts what the files hold', () => {
  it('--workers 0 and 2, --explain --json and the human summary', async () => {
    await ensureBuilt();
    const dir = await temp('mr-pass-replay-');
    const summaries: unknown[] = [];
    for (const w of ['0', '2']) {
      const out = path.join(dir, 'j' + w);
      const s = JSON.parse((await cli(['replay', SMALL, '--policy', POLICY, '--out', out, '--workers', w, '--explain', '--json'])).stdout) as {
        telemetry: Record<string, number>;
        reports: Record<string, number>;
        malformed: number;
      };
      summaries.push(s);
      const decisions = await readLines(out, 'decisions');
      const exports = await readLines(out, 'exports');
      const reports = await readLines(out, 'reports');
      const byDecision = countBy(decisions, (d) => String(d.decision));
      expect({ export: byDecision.export ?? 0, aggregate: byDecision.aggregate ?? 0, drop: byDecision.drop ?? 0 }).toEqual(s.telemetry);
      expect(exports.filter((e) => e.type === 'telemetry').length).toBe(s.telemetry.export);
      expect(exports.filter((e) => e.type === 'aggregate').reduce((n, e) => n + (e.stats as { items: number }).items, 0)).toBe(s.telemetry.aggregate);
      expect(sortObj(countBy(reports, (r) => String(r.type)))).toEqual(s.reports);
      expect(reports.filter((r) => r.type === 'malformed-input').length).toBe(s.malformed);
      const human = (await cli(['replay', SMALL, '--policy', POLICY, '--out', path.join(dir, 'h' + w), '--workers', w, '--explain'])).stdout;
      expect(human).toContain(`exports.ndjson ${exports.length} lines, reports.ndjson ${reports.length} lines, decisions.ndjson ${decisions.length} lines`);
      expect(human).toContain(`telemetry: ${s.telemetry.export} exported, ${s.telemetry.aggregate} aggregated, ${s.telemetry.drop} dropped`);
    }
    expect(summaries[1]).toEqual(summaries[0]);
  }, 60_000);
});

describe('live over HEP, --workers 2: metrics = files = stop summary; endpoint behaviour', () => {
  it('call-small.pcap', async () => {
    await ensureBuilt();
    const dir = await temp('mr-pass-live-');
    const out = path.join(dir, 'o');
    const { live, addresses } = await LiveChild.start(['--hep', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', out, '--explain', '--workers', '2', '--batch-ms', '5', '--no-resolve-uri', '--policy', POLICY]);
    try {
      const base = `http://127.0.0.1:${addresses.metrics!.port}`;
      const sending = cli(['replay', SMALL, '--to', `hep://127.0.0.1:${addresses.hep!.udp.port}`, '--speed', '0']);
      const scrapes: string[] = [];
      let sent = false;
      void sending.then(() => (sent = true));
      while (!sent) {
        const res = await fetch(`${base}/metrics`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        scrapes.push(await res.text());
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(JSON.parse((await sending).stdout)).toEqual({ sent: 440, skipped: 0 });
      // settled: every record received, decided
      let text = '';
      for (let i = 0; i < 100; i++) {
        text = await (await fetch(`${base}/metrics`)).text();
        const decided = ['export', 'aggregate', 'drop'].reduce((n, o) => n + metric(text, `aipref_decisions_total{outcome="${o}"}`), 0);
        if (metric(text, 'aipref_source_records_total{source="hep",kind="received"}') >= 440 && decided >= 254) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 300));
      text = await (await fetch(`${base}/metrics`)).text();
      scrapes.push(text);
      // counters never go down from scrape to scrape
      // (families typed counter; prom-client's own nodejs_active_*_total are gauges)
      const counterSeries = (t: string) => {
        const counters = new Set(t.split('\n').filter((l) => l.startsWith('# TYPE ') && l.endsWith(' counter')).map((l) => l.split(' ')[2]!));
        return new Map(
          t
            .split('\n')
            .filter((l) => !l.startsWith('#') && counters.has(l.split(/[{ ]/)[0]!))
            .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))] as const),
        );
      };
      for (let i = 1; i < scrapes.length; i++) {
        const before = counterSeries(scrapes[i - 1]!);
        const after = counterSeries(scrapes[i]!);
        for (const [series, v] of before) expect(after.get(series) ?? 0, series).toBeGreaterThanOrEqual(v);
      }
      // label values from fixed sets only: no Call-ID, SSRC or APT identifier in any sample
      const labelValues = text
        .split('\n')
        .filter((l) => l.startsWith('aipref_') && l.includes('{'))
        .flatMap((l) => [...l.matchAll(/="([^"]*)"/g)].map((m) => m[1]!));
      for (const v of labelValues) expect(v).toMatch(/^[a-z0-9:_.+\-/ ]{1,40}$/i);
      expect(text).not.toMatch(/@10\.1\.0\.|apt-|urn:example|1078747615/);
      expect((await fetch(`${base}/`)).status).toBe(404);
      expect((await fetch(`${base}/metrics/x`)).status).toBe(404);
      const health = await fetch(`${base}/healthz`);
      expect([health.status, health.headers.get('content-type'), ((await health.json()) as { status: string }).status]).toEqual([200, 'application/json', 'ok']);

      expect(await live.terminate()).toBe(0);
      const stop = live.logs.find((l) => l.event === 'stop') as unknown as { summary: { rtp: number; rtcp: number; sip: number; malformed: number; telemetry: Record<string, number>; reports: Record<string, number> } };
      const s = stop.summary;
      expect([metric(text, 'aipref_packets_total{proto="rtp"}'), metric(text, 'aipref_packets_total{proto="rtcp"}'), metric(text, 'aipref_packets_total{proto="sip"}')]).toEqual([s.rtp, s.rtcp, s.sip]);
      expect(metric(text, 'aipref_packets_total{proto="malformed"}')).toBe(s.malformed);
      const decisions = await readLines(out, 'decisions');
      const reports = await readLines(out, 'reports');
      for (const o of ['export', 'aggregate', 'drop']) {
        const n = decisions.filter((d) => d.decision === o).length;
        expect([metric(text, `aipref_decisions_total{outcome="${o}"}`), s.telemetry[o]]).toEqual([n, n]);
      }
      for (const [reason, n] of Object.entries(countBy(decisions.filter((d) => d.decision === 'drop'), (d) => String(d.reason)))) expect(metric(text, `aipref_drops_total{reason="${reason}"}`)).toBe(n);
      expect(samples(text, 'aipref_drops_total').reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)).toBe(s.telemetry.drop);
      const byType = sortObj(countBy(reports, (r) => String(r.type)));
      expect(s.reports).toEqual(byType);
      for (const [t, n] of Object.entries(byType)) expect(metric(text, `aipref_reports_total{type="${t}"}`)).toBe(n);
    } finally {
      if (live.child.exitCode === null) await live.terminate();
    }
  }, 60_000);
});

describe.skipIf(!NATS_SERVER)('--nats with credentials in the URL', () => {
  it('the password reaches neither /metrics, /healthz nor the logs; /healthz 503 while draining', async () => {
    await ensureBuilt();
    const { dir, policy } = await tempWithRawPolicy('mr-pass-nats-');
    dirs.push(dir);
    const port = await freeTcpPort();
    const server: ChildProcess = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', path.join(dir, 'js'), '--user', 'alice', '--pass', 'hunter2pw'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 700));
      const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--nats', `nats://alice:hunter2pw@127.0.0.1:${port}`, '--workers', '0', '--batch-ms', '5', '--policy', policy]);
      const base = `http://127.0.0.1:${addresses.metrics!.port}`;
      try {
        await sendSrs(addresses.udp!.port, 3, (i) => 100 + i);
        // (polled up to 15 s for the three SRs, not a fixed pause: a loaded CI may take longer)
        let text = await (await fetch(`${base}/metrics`)).text();
        for (const end = Date.now() + 15_000; metric(text, 'aipref_packets_total{proto="rtcp"}') < 3 && Date.now() < end; text = await (await fetch(`${base}/metrics`)).text()) await new Promise((r) => setTimeout(r, 100));
        expect(metric(text, 'aipref_packets_total{proto="rtcp"}')).toBe(3);
        expect(text).not.toContain('hunter2pw');
        expect(text).not.toContain('alice');
        expect(await (await fetch(`${base}/healthz`)).text()).not.toContain('hunter2pw');
        live.child.kill('SIGTERM');
        const drained = await live.waitFor((l) => l.event === 'drain', 5000);
        expect(drained).toBeTruthy();
        const during = await fetch(`${base}/healthz`).catch(() => null);
        if (during) expect(during.status).toBe(503);
        expect(await live.exited).toBe(0);
        expect(live.stderrText).not.toContain('hunter2pw');
      } finally {
        if (live.child.exitCode === null) await live.terminate();
      }
    } finally {
      server.kill('SIGTERM');
    }
  }, 30_000);
});
