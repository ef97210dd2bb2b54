/** Round 29 carry-asks review: shard choice as replay-engine.ts makes it, and a run-and-compare helper. */
import { expect } from 'vitest';
import { hashString, mix32 } from '../../../src/pipeline/replay-engine.js';
import { unroutedPairV4 } from '../../../src/pipeline/media-core.js';
import { replayLines, type ReplayLines, type Workspace } from '../../e2e/e2e-helpers.js';
import { THREE, writeCapture, type Pkt } from '../../e2e/port-reuse-review/common.js';

const ip4 = (ip: string) => ip.split('.').reduce((n, x) => n * 256 + Number(x), 0);

export const callShard = (callId: string, n: number) => hashString(callId) % n;
export const pairShard = (a: string, ap: number, b: string, bp: number, n: number) => mix32(unroutedPairV4(ip4(a), ap, ip4(b), bp)) % n;

/** The first Call-ID `${prefix}-i` whose shard (of n) is (or is not, `not`) `shard`. */
export function callOn(prefix: string, n: number, shard: number, not = false): string {
  for (let i = 0; i < 1000; i++) {
    const id = `${prefix}-${i}`;
    if ((callShard(id, n) === shard) !== not) return id;
  }
  throw new Error('no call id');
}

export interface Run extends ReplayLines {
  label: string;
}

/** Runs the capture with the given configurations; returns each run. */
export async function runs(ws: Workspace, name: string, pkts: readonly Pkt[], configs: { workers: number; maxBatchRecords?: number }[], policy = THREE, windowSec?: number): Promise<Run[]> {
  const file = await ws.file(`${name}.pcap`);
  await writeCapture(file, pkts);
  const out: Run[] = [];
  for (const c of configs) {
    const r = await replayLines({ capture: file, policy, workers: c.workers, explain: true, ...(windowSec !== undefined ? { windowSec } : {}), ...(c.maxBatchRecords !== undefined ? { maxBatchRecords: c.maxBatchRecords } : {}) });
    out.push({ ...r, label: `${name}: workers ${c.workers}, batches of ${c.maxBatchRecords ?? 'any'}` });
  }
  return out;
}

/** Whether some run cut its work for an ask (ReplayResult.cuts). */
export const cutIn = (all: Run[]) => all.some((r) => r.result.cuts > 0);

/** Every run's lines and bindings equal the first's. */
export function expectSame(all: Run[]): void {
  const base = all[0]!;
  for (const r of all.slice(1)) {
    expect(r.exports, r.label).toEqual(base.exports);
    expect(r.decisions, r.label).toEqual(base.decisions);
    expect(r.reports, r.label).toEqual(base.reports);
    expect(r.result.bindings, r.label).toEqual(base.result.bindings);
  }
}

import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import { T0 } from '../../e2e/port-reuse-review/common.js';

/** writeCapture, IPv6 where an address has a colon. */
export async function writeMixed(file: string, pkts: readonly Pkt[]): Promise<void> {
  const w = await PcapWriter.open(file, { linkType: 1 });
  for (const p of pkts) {
    const o = { src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, payload: p.payload };
    w.write(T0 + p.ts, p.src.includes(':') ? buildIpv6Udp(o) : buildEthernetIpv4Udp(o));
  }
  await w.close();
}

/** runs() of an IPv6-capable capture. */
export async function runsMixed(ws: Workspace, name: string, pkts: readonly Pkt[], configs: { workers: number; maxBatchRecords?: number; maxInFlight?: number }[], policy = THREE): Promise<Run[]> {
  const file = await ws.file(`${name}.pcap`);
  await writeMixed(file, pkts);
  const out: Run[] = [];
  for (const c of configs) {
    const r = await replayLines({ capture: file, policy, workers: c.workers, explain: true, ...(c.maxBatchRecords !== undefined ? { maxBatchRecords: c.maxBatchRecords } : {}), ...(c.maxInFlight !== undefined ? { maxInFlight: c.maxInFlight } : {}) });
    out.push({ ...r, label: `${name}: workers ${c.workers}, batches of ${c.maxBatchRecords ?? 'any'}, in flight ${c.maxInFlight ?? 'default'}` });
  }
  return out;
}

/** workers 0, then 2 and 3 with whole batches and batches of 1, 2, 3 records; 2 with one unit in flight (as live runs). */
export const ALL_CONFIGS = [
  { workers: 0 },
  ...[2, 3].flatMap((workers) => [undefined, 1, 2, 3].map((maxBatchRecords) => ({ workers, ...(maxBatchRecords !== undefined ? { maxBatchRecords } : {}) }))),
  { workers: 2, maxInFlight: 1 },
  { workers: 3, maxInFlight: 1, maxBatchRecords: 2 },
];
