/** Shared helpers for the window-lifecycle review: a two-party call with exact capture times, replayed with workers 0 and 2. */
import { expect } from 'vitest';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { type ExportLine, parseLines, policyOf, type PolicyJson, replayLines, type ReportLine, type DecisionLine, type Workspace } from '../e2e-helpers.js';
import { type At, request, response, sdpOf, writeCall } from '../hand-built-calls.js';

export { T0 } from '../hand-built-calls.js';

export interface Out {
  exports: ExportLine[];
  aggs: { window: unknown; ts: number; expiresAt: number | null; items: number; apt: string[]; ssrc: number; requestId: string; packets: Record<string, number> }[];
  reports: ReportLine[];
  decisions: DecisionLine[];
  raw: { exports: string[]; reports: string[]; decisions: string[] };
}

let n = 0;
export async function run(ws: Workspace, write: (at: At) => void, policy: PolicyJson, windowSec = 10, maxBatchRecords?: number): Promise<Out> {
  const file = await ws.file(`w-${n++}.pcap`);
  await writeCall(file, write);
  const runs = await Promise.all(
    [0, 2].map((workers) => replayLines({ capture: file, policy: policyOf(policy), workers, windowSec, explain: true, ...(maxBatchRecords ? { maxBatchRecords } : {}) })),
  );
  // results are identical whatever --workers is (SPEC §8)
  expect(runs[1]!.exports).toEqual(runs[0]!.exports);
  expect(runs[1]!.reports).toEqual(runs[0]!.reports);
  expect(runs[1]!.decisions).toEqual(runs[0]!.decisions);
  const r = runs[0]!;
  const exports = parseLines<ExportLine>(r.exports);
  return {
    exports,
    aggs: exports
      .filter((e) => e.type === 'aggregate')
      .map((e) => {
        const s = e.stats as { items: number; packets: Record<string, number> };
        return { window: e.window, ts: e.ts as number, expiresAt: e.expiresAt as number | null, items: s.items, apt: e.apt as string[], ssrc: (e.stream as { ssrc: number }).ssrc, requestId: e.requestId as string, packets: s.packets };
      }),
    reports: parseLines<ReportLine>(r.reports),
    decisions: parseLines<DecisionLine>(r.decisions),
    raw: { exports: r.exports, reports: r.reports, decisions: r.decisions },
  };
}

/** INVITE/200/ACK at 0, 0.1, 0.2 with the given SDP lines. */
export function setup(at: At, aLines: string[], bLines: string[] = [], aHeaders: string[] = []): void {
  at(0, request('INVITE', 1, sdpOf('a', aLines), aHeaders, ''), true);
  at(0.1, response('200 OK', 1, sdpOf('b', bLines)), false);
  at(0.2, request('ACK', 1, null), true);
}

/** an RTCP compound from A (4001 → 5001) or B (5001 → 4001) at `t` */
export function rtcpAt(at: At, t: number, fromA: boolean, packets: RtcpPacketInput[]): void {
  at(t, encodeRtcpCompound(packets), fromA, fromA ? 4001 : 5001, fromA ? 5001 : 4001);
}

export const srOf = (ssrc: number): RtcpPacketInput => ({ pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] });
export const byeOf = (ssrc: number): RtcpPacketInput => ({ pt: 203, ssrcs: [ssrc] }) as unknown as RtcpPacketInput;
export const privOf = (ssrc: number, value: string): RtcpPacketInput =>
  ({ pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'c@x' }, { type: 8, prefix: 'aipref', value }] }] }) as unknown as RtcpPacketInput;
export const AGG = (retention = '1h'): Record<string, unknown> => ({ type: 'user', export: 'aggregated-only', retention });
