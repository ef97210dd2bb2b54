/**
 * Fuzzing: one in-process replay of a capture file, and the invariants every replay of a
 * readable capture must keep (SPEC §7–§8): it ends, it throws nothing but a CaptureError naming
 * a byte offset, every output line is one JSON object, the summary counts every record and every
 * malformed-input report, and the output is the same bytes whatever the worker count.
 */
import { CaptureError } from '../../native-free/types.js';
import { replayCapture, type ReplayResult } from '../../src/pipeline/replay-engine.js';
import { emptyPolicy, type PolicyFile } from '../../src/policy/policy-file.js';
import { classifyRtpRtcp, sharesMediaPort } from '../../src/media/demux.js';
import { createRtpHeaderView, decodeRtpHeader } from '../../src/media/rtp.js';
import { type Capture, locate } from './mutate.js';

export interface RunOutput {
  exports: string[];
  reports: string[];
  decisions: string[];
  result?: ReplayResult;
  error?: unknown;
  ms: number;
}

export class Hang extends Error {}

export async function runReplay(capture: string, policy: PolicyFile | undefined, workers: number, timeoutMs: number, maxBatchRecords?: number): Promise<RunOutput> {
  const out: RunOutput = { exports: [], reports: [], decisions: [], ms: 0 };
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const run = replayCapture({
    capture,
    policy: policy ?? emptyPolicy(),
    workers,
    windowSec: 10,
    explain: true,
    bindings: true,
    ...(maxBatchRecords ? { maxBatchRecords } : {}),
    sink: {
      exports: (lines) => void out.exports.push(...lines),
      reports: (lines) => void out.reports.push(...lines),
      decisions: (lines) => void out.decisions.push(...lines),
    },
  });
  try {
    out.result = await Promise.race([run, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Hang(`no result after ${timeoutMs} ms`)), timeoutMs)))]);
  } catch (err) {
    out.error = err;
  } finally {
    clearTimeout(timer);
  }
  out.ms = Date.now() - t0;
  return out;
}

/** The problems a run shows (empty: none). `records`: how many records the capture file holds. */
export function problemsOf(o: RunOutput, records: number): string[] {
  const problems: string[] = [];
  if (o.error !== undefined) {
    if (o.error instanceof Hang) problems.push(`hang: ${o.error.message}`);
    else if (!(o.error instanceof CaptureError) || !Number.isInteger(o.error.offset)) problems.push(`threw: ${o.error instanceof Error ? (o.error.stack ?? o.error.message) : String(o.error)}`);
    return problems;
  }
  const r = o.result!;
  const s = r.summary;
  if (s.packets !== records) problems.push(`summary.packets ${s.packets} != ${records} records in the file`);
  const byType: Record<string, number> = {};
  /**
   * the summary counts malformed packets: one per frame malformed-input reports name, however
   * many faults it had — and one per IP datagram whose fragments never completed (its report
   * names the frame it was given up at, which several can share)
   */
  const malformedFrames = new Set<unknown>();
  let lostDatagrams = 0;
  const telemetry = { export: 0, aggregate: 0, drop: 0 };
  const check = (kind: string, lines: string[]) => {
    for (const line of lines) {
      if (typeof line !== 'string' || line.includes('\n') || line.includes('\r')) {
        problems.push(`${kind}: a line that is not one NDJSON line: ${JSON.stringify(line).slice(0, 200)}`);
        continue;
      }
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        problems.push(`${kind}: not JSON (${(e as Error).message}): ${line.slice(0, 200)}`);
        continue;
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        problems.push(`${kind}: not an object: ${line.slice(0, 200)}`);
        continue;
      }
      if (Buffer.from(line, 'utf8').toString('utf8') !== line) problems.push(`${kind}: not well-formed UTF-16/UTF-8 (lone surrogate): ${line.slice(0, 200)}`);
      const o2 = v as Record<string, unknown>;
      if (kind === 'reports') byType[String(o2.type)] = (byType[String(o2.type)] ?? 0) + 1;
      if (kind === 'reports' && o2.type === 'malformed-input') {
        const lost = / (\d+) more IP fragment sets never completed/.exec(String(o2.detail)) ?? (/ fragments of id \S+ never completed/.test(String(o2.detail)) ? ['', '1'] : null);
        if (lost !== null) lostDatagrams += Number(lost[1]);
        else malformedFrames.add(o2.frame);
      }
      if (kind === 'decisions') telemetry[o2.decision as 'export'] = (telemetry[o2.decision as 'export'] ?? 0) + 1;
      if ('frame' in o2 && (typeof o2.frame !== 'number' || !Number.isInteger(o2.frame) || (o2.frame as number) < 0 || (o2.frame as number) > records + 1)) problems.push(`${kind}: frame out of range: ${line.slice(0, 200)}`);
      if ('ts' in o2 && (typeof o2.ts !== 'number' || !Number.isFinite(o2.ts))) problems.push(`${kind}: ts not a finite number: ${line.slice(0, 200)}`);
    }
  };
  check('exports', o.exports);
  check('reports', o.reports);
  check('decisions', o.decisions);
  if (s.malformed !== malformedFrames.size + lostDatagrams) problems.push(`summary.malformed ${s.malformed} != ${malformedFrames.size} frames named by malformed-input reports + ${lostDatagrams} datagrams never completed`);
  if (JSON.stringify(sortedEntries(s.reports)) !== JSON.stringify(sortedEntries(byType))) problems.push(`summary.reports ${JSON.stringify(s.reports)} != report lines ${JSON.stringify(byType)}`);
  if (s.telemetry.export !== telemetry.export || s.telemetry.aggregate !== telemetry.aggregate || s.telemetry.drop !== telemetry.drop) problems.push(`summary.telemetry ${JSON.stringify(s.telemetry)} != decision lines ${JSON.stringify(telemetry)}`);
  return problems;
}

const sortedEntries = (o: Record<string, number>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1));

/** Differences between two runs of the same capture (workers 0 vs n): empty when byte-identical. */
export function differences(a: RunOutput, b: RunOutput, options: { ignoreBindingOrder?: boolean } = {}): string[] {
  const out: string[] = [];
  if ((a.error === undefined) !== (b.error === undefined)) return [`one run failed: ${String(a.error ?? b.error)}`];
  if (a.error !== undefined) return String(a.error) === String(b.error) ? [] : [`errors differ: ${String(a.error)} / ${String(b.error)}`];
  for (const k of ['exports', 'reports', 'decisions'] as const) {
    const x = a[k];
    const y = b[k];
    if (x.length !== y.length || x.some((l, i) => l !== y[i])) {
      const i = x.findIndex((l, j) => l !== y[j]);
      out.push(`${k} differ (${x.length} vs ${y.length} lines); first at ${i}:\n  w0: ${x[i]?.slice(0, 300)}\n  wN: ${y[i]?.slice(0, 300)}`);
    }
  }
  if (JSON.stringify(a.result!.summary) !== JSON.stringify(b.result!.summary)) out.push(`summaries differ: ${JSON.stringify(a.result!.summary)} / ${JSON.stringify(b.result!.summary)}`);
  const ba = a.result!.bindings.map((x) => JSON.stringify(x));
  const bb = b.result!.bindings.map((x) => JSON.stringify(x));
  if (JSON.stringify([...ba].sort()) !== JSON.stringify([...bb].sort())) out.push(`binding tables differ: only w0 ${ba.filter((x) => !bb.includes(x)).join(' ')}; only wN ${bb.filter((x) => !ba.includes(x)).join(' ')}`);
  else if (!options.ignoreBindingOrder && ba.join() !== bb.join()) out.push(`binding tables in another order: w0 ${ba.find((x, i) => x !== bb[i])} / wN ${bb.find((x, i) => x !== ba[i])}`);
  return out;
}

/**
 * For a capture whose only change is inside the RTP/RTCP payload of record `index` (0-based),
 * on a transport the signaling negotiated: the packet must not vanish. RTCP (by the enforcer's
 * own demultiplexer) leaves a decision or a report at its frame; a datagram that is no longer
 * RTP/RTCP, or RTP whose header does not decode, leaves a malformed-input report there.
 */
export function silentSkip(o: RunOutput, capture: Capture, index: number): string[] {
  if (o.error !== undefined) return [];
  const r = capture.records[index]!;
  const l = locate(capture.linkType, r.data);
  if (!l || l.proto !== 17) return [];
  const frame = index + 1;
  const at = (lines: string[]) => lines.map((x) => JSON.parse(x) as { frame: number; type?: string }).filter((x) => x.frame === frame);
  const len = l.payloadEnd - l.payload;
  const cls = classifyRtpRtcp(r.data, l.payload, len, 0);
  const reports = at(o.reports);
  const malformed = reports.filter((x) => x.type === 'malformed-input');
  if (cls === 'rtcp') {
    if (at(o.decisions).length === 0 && reports.length === 0) return [`frame ${frame}: RTCP datagram left no decision and no report`];
  } else if (cls === 'other') {
    if (malformed.length === 0 && !sharesMediaPort(r.data, l.payload, len)) return [`frame ${frame}: datagram on a media transport that is neither RTP nor RTCP left no malformed-input report`];
  } else if (malformed.length === 0) {
    // (a padding count is not checked under SRTP, where it is encrypted: RFC 3711 §3.1)
    const error = decodeRtpHeader(r.data, l.payload, len, createRtpHeaderView(), 0);
    if (error !== null && error.code !== 'bad-padding') return [`frame ${frame}: RTP whose header does not decode left no malformed-input report`];
  }
  return [];
}
