import { afterEach, describe, expect, it } from 'vitest';
import { EnforcerMetrics, startMetricsServer, type MetricsServer } from '../../src/export/metrics.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The value of one sample line, e.g. `aipref_packets_total{proto="rtcp"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics endpoint', () => {
  it('serves the counters and queue depths in the Prometheus text format', async () => {
    const metrics = new EnforcerMetrics();
    server = await startMetricsServer({ metrics, port: 0 });
    metrics.packets.inc({ proto: 'rtcp' }, 3);
    metrics.packets.inc({ proto: 'rtp' });
    metrics.decisions.inc({ outcome: 'export' }, 2);
    metrics.decisions.inc({ outcome: 'drop' });
    metrics.drops.inc({ reason: 'no-preference' });
    metrics.reports.inc({ type: 'scope-removed' });
    metrics.exportFailures.inc({ exporter: 'http', kind: 'retry' });
    let spooled = 7;
    metrics.trackQueue('http-spool', () => spooled);

    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'aipref_packets_total{proto="rtcp"}')).toBe(3);
    expect(sample(text, 'aipref_packets_total{proto="rtp"}')).toBe(1);
    expect(sample(text, 'aipref_decisions_total{outcome="export"}')).toBe(2);
    expect(sample(text, 'aipref_decisions_total{outcome="drop"}')).toBe(1);
    expect(sample(text, 'aipref_drops_total{reason="no-preference"}')).toBe(1);
    expect(sample(text, 'aipref_reports_total{type="scope-removed"}')).toBe(1);
    expect(sample(text, 'aipref_export_failures_total{exporter="http",kind="retry"}')).toBe(1);
    expect(sample(text, 'aipref_queue_depth{queue="http-spool"}')).toBe(7);
    expect(text).toContain('# TYPE aipref_packets_total counter');

    // queue depths are read at scrape time
    spooled = 0;
    metrics.trackQueue('nats-pending', () => 2);
    const again = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(sample(again, 'aipref_queue_depth{queue="http-spool"}')).toBe(0);
    expect(sample(again, 'aipref_queue_depth{queue="nats-pending"}')).toBe(2);
    metrics.untrackQueue('nats-pending');
    const third = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(sample(third, 'aipref_queue_depth{queue="nats-pending"}')).toBeUndefined();
  });

  it('answers /healthz from the health callback, 404 elsewhere, 405 for other methods', async () => {
    let ok = true;
    server = await startMetricsServer({ metrics: new EnforcerMetrics({ processMetrics: true }), port: 0, health: () => ({ ok, detail: { sources: 2 } }) });
    const base = `http://127.0.0.1:${server.port}`;
    const healthy = await fetch(`${base}/healthz`);
    expect([healthy.status, await healthy.json()]).toEqual([200, { status: 'ok', sources: 2 }]);
    ok = false;
    const sick = await fetch(`${base}/healthz`);
    expect([sick.status, await sick.json()]).toEqual([503, { status: 'unhealthy', sources: 2 }]);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('aipref_process_cpu_user_seconds_total');
  });

  it('copies live sources’ counters and counts exporter failures through the listener it gives', async () => {
    const metrics = new EnforcerMetrics();
    const counters = { received: 5, malformed: 1, byKind: { 'hep:sip': 3, 'hep:rtcp': 1, 'rtcp-json': 1, 'unknown-chunks': 4, 'rtcp-json-dropped-items': 2 } };
    metrics.trackSource('hep', counters);
    const onFailure = metrics.exportFailureListener('ws');
    onFailure('HTTP 500', 'id-1', 'retry');
    onFailure('HTTP 400', 'id-2', 'rejected');
    onFailure('HTTP 503', 'id-3', 'retry');
    let text = await metrics.text();
    expect(sample(text, 'aipref_source_records_total{source="hep",kind="received"}')).toBe(5);
    // one family per unit: records received (alone in its family), records by kind, by note, malformed, chunks, items
    expect(text.split('\n').filter((l) => l.startsWith('aipref_source_records_total{'))).toEqual(['aipref_source_records_total{source="hep",kind="received"} 5']);
    expect(sample(text, 'aipref_source_record_kinds_total{source="hep",kind="hep:sip"}')).toBe(3);
    expect(sample(text, 'aipref_source_record_kinds_total{source="hep",kind="hep:rtcp"}')).toBe(1);
    expect(sample(text, 'aipref_source_record_kinds_total{source="hep",kind="rtcp-json"}')).toBeUndefined();
    expect(sample(text, 'aipref_source_record_notes_total{source="hep",note="rtcp-json"}')).toBe(1);
    expect(sample(text, 'aipref_source_malformed_total{source="hep"}')).toBe(1);
    expect(sample(text, 'aipref_source_unknown_chunks_total{source="hep"}')).toBe(4);
    expect(sample(text, 'aipref_source_rtcp_json_dropped_items_total{source="hep"}')).toBe(2);
    expect(sample(text, 'aipref_export_failures_total{exporter="ws",kind="retry"}')).toBe(2);
    expect(sample(text, 'aipref_export_failures_total{exporter="ws",kind="rejected"}')).toBe(1);
    counters.received = 9;
    text = await metrics.text();
    expect(sample(text, 'aipref_source_records_total{source="hep",kind="received"}')).toBe(9);
  });

  it('keeps two enforcers’ registries apart', () => {
    const a = new EnforcerMetrics();
    const b = new EnforcerMetrics();
    a.packets.inc({ proto: 'sip' });
    expect(a.registry).not.toBe(b.registry);
    return b.text().then((text) => expect(sample(text, 'aipref_packets_total{proto="sip"}')).toBeUndefined());
  });
});
