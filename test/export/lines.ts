/** Export and report lines as the enforcer makes them, for exporter tests. */
import { requestIdOf, type AggregateExport, type TelemetryExport } from '../../src/enforce/records.js';
import type { Report } from '../../src/report/report.js';

export function telemetryLine(n: number, opts: { ts?: number; retentionSec?: number | null } = {}): TelemetryExport {
  const ts = opts.ts ?? Date.now() / 1000;
  const retention = opts.retentionSec === undefined ? 3600 : opts.retentionSec;
  return {
    type: 'telemetry',
    requestId: requestIdOf(['test', 'telemetry', n]),
    ts,
    expiresAt: retention === null ? null : ts + retention,
    dialog: { callId: `call-${n}@example.org`, fromTag: 'f1', toTag: 't1' },
    stream: { ssrc: 0x1234 + n, mid: '0', kind: 'audio' },
    apt: ['apt-raw'],
    decision: 'export',
    item: { pt: 201, ssrc: 0x1234 + n, reports: [] },
  };
}

export function aggregateLine(n: number, ts = Date.now() / 1000): AggregateExport {
  return {
    type: 'aggregate',
    requestId: requestIdOf(['test', 'aggregate', n]),
    ts,
    expiresAt: ts + 600,
    dialog: { callId: 'call-agg@example.org', fromTag: 'f1', toTag: 't1' },
    stream: { ssrc: 42, mid: null, kind: 'video' },
    apt: ['apt-agg'],
    decision: 'aggregate',
    window: { start: ts - 10, end: ts },
    stats: {
      items: 3,
      packets: { sr: 1, rr: 2, sdes: 0, bye: 0, app: 0, rtpfb: 0, psfb: 0, xr: 0 },
      reportBlocks: 2,
      lossFraction: { mean: 0.01 },
      cumulativeLost: { max: 4 },
      jitter: { min: 180, mean: 360, max: 540, p95: 540 },
      jitterMs: { min: 2, mean: 4, max: 6, p95: 6, count: 2 },
      rttMs: null,
      voip: null,
      feedback: { nack: 0, pli: 0, fir: 0, remb: 0, twcc: 0, other: 0 },
    },
  };
}

export function reportLine(n: number): Report {
  return { type: 'scope-removed', ts: 1700000000 + n, frame: n, dialog: { callId: 'call-r@example.org', fromTag: 'a', toTag: 'b' }, mid: '1', apt: ['apt-x'], fallback: ['apt-session'] };
}
