/**
 * Helpers of the round-23 review of 40d5492 (windows close just before the first record whose
 * capture clock reached their end): timed packets written as a pcap, replayed in-process with
 * --workers 0 and 2 and with maxBatchRecords 1 / the default, every output compared.
 */
import { expect } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import type { PolicyFile } from '../../../src/policy/policy-file.js';
import { type Pkt } from '../calls-on-any-address.js';
import { parseLines, replayLines, type ReplayLines, type Workspace, writePcapRecords } from '../e2e-helpers.js';

export const T0 = 1767225600;
export interface Timed extends Pkt {
  /** seconds after T0 */
  t: number;
}
export const at = (t: number, p: Pkt): Timed => ({ ...p, t });

let n = 0;
export async function writeTimed(ws: Workspace, pkts: readonly Timed[]): Promise<string> {
  const file = await ws.file(`r23-${n++}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), pkts.map((p) => ({ ts: T0 + p.t, data: buildEthernetIpv4Udp(p) })));
  return file;
}

export interface Outcome {
  exports: string[];
  reports: string[];
  decisions: string[];
  summary: unknown;
  bindings: unknown;
}

const outcome = (r: ReplayLines): Outcome => ({ exports: r.exports, reports: r.reports, decisions: r.decisions, summary: r.result.summary, bindings: r.result.bindings });

export async function replayOnce(file: string, policy: PolicyFile, workers: number, maxBatchRecords?: number, windowSec = 10): Promise<Outcome> {
  return outcome(await replayLines({ capture: file, policy, workers, windowSec, explain: true, ...(maxBatchRecords ? { maxBatchRecords } : {}) }));
}

/** Workers 0 and 2, default batching and maxBatchRecords 1: the four runs, keyed. */
export async function replayFour(file: string, policy: PolicyFile, windowSec = 10): Promise<Record<'w0' | 'w2' | 'w0b1' | 'w2b1', Outcome>> {
  const [w0, w2, w0b1, w2b1] = await Promise.all([replayOnce(file, policy, 0, undefined, windowSec), replayOnce(file, policy, 2, undefined, windowSec), replayOnce(file, policy, 0, 1, windowSec), replayOnce(file, policy, 2, 1, windowSec)]);
  return { w0: w0!, w2: w2!, w0b1: w0b1!, w2b1: w2b1! };
}

/** every run equal to the first (workers 0, default batching) */
export function expectAllEqual(runs: Record<string, Outcome>): void {
  const first = Object.values(runs)[0]!;
  for (const [name, r] of Object.entries(runs)) expect({ name, ...r }).toEqual({ name, ...first });
}

export const aggregates = (o: Outcome) =>
  parseLines<{ type: string; ts: number; requestId: string; window: { start: number; end: number }; stream: { ssrc: number; mid: string | null; kind: string | null }; stats: { items: number } }>(o.exports).filter((e) => e.type === 'aggregate');
