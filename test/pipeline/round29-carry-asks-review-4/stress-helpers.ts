/** Round 29 carry-asks review 4: a capture with many asks, run with full observation of the sink. */
import { replayCapture, type ReplayResult } from '../../../src/pipeline/replay-engine.js';
import { A, B, rtcpPkt, rtp, sdesTag, setup, sdpAt, srIn, THREE, type Pkt } from '../../e2e/port-reuse-review/common.js';
import { callShard, pairShard } from '../round29-carry-asks-review/helpers.js';

export interface Obs {
  label: string;
  exports: string[];
  reports: string[];
  decisions: string[];
  /** per sink call: kind and line count */
  calls: string[];
  counted: string[];
  progress: string[];
  result: ReplayResult;
}

export interface Config {
  workers: number;
  maxBatchRecords?: number;
  maxInFlight?: number;
}

export async function observe(capture: string, c: Config, extra: { signal?: AbortSignal; windowSec?: number } = {}): Promise<Obs> {
  const o: Omit<Obs, 'result'> = { label: `workers ${c.workers}, batches of ${c.maxBatchRecords ?? 'any'}, in flight ${c.maxInFlight ?? 'default'}`, exports: [], reports: [], decisions: [], calls: [], counted: [], progress: [] };
  const result = await replayCapture({
    capture,
    policy: THREE,
    workers: c.workers,
    windowSec: extra.windowSec ?? 10,
    explain: true,
    bindings: true,
    ...(c.maxBatchRecords !== undefined ? { maxBatchRecords: c.maxBatchRecords } : {}),
    ...(c.maxInFlight !== undefined ? { maxInFlight: c.maxInFlight } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
    onCounted: (t) => void o.counted.push(JSON.stringify(t)),
    onProgress: (p, b) => void o.progress.push(`${p} ${b}`),
    sink: {
      exports: (l) => void (o.calls.push(`e${l.length}`), o.exports.push(...l)),
      reports: (l) => void (o.calls.push(`r${l.length}`), o.reports.push(...l)),
      decisions: (l) => void (o.calls.push(`d${l.length}`), o.decisions.push(...l)),
    },
  });
  return { ...o, result };
}

/** A Call-ID whose shard differs from `avoid[n]` for every n of `avoid` (2 and 3 shards). */
export function callAway(prefix: string, pair: [string, number, string, number]): string {
  for (let i = 0; i < 10_000; i++) {
    const id = `${prefix}-${i}`;
    if (callShard(id, 2) !== pairShard(...pair, 2) && callShard(id, 3) !== pairShard(...pair, 3)) return id;
  }
  throw new Error('no call id');
}

/**
 * `n` pairs A:(4001+10k) <-> B:(5001+10k), each with SSRC 1000+k tagged apt-none before any
 * signaling; a call per pair on another shard (apt-raw at A, apt-agg at B), then each pair's first
 * RTCP of 1000+k (an ask) at the frames `askAt` gives, among RTP and B's RTCP (windows closing).
 */
export function manyAsks(n: number, spacing: number[]): { pkts: Pkt[]; calls: string[] } {
  const pkts: Pkt[] = [];
  const calls: string[] = [];
  for (let k = 0; k < n; k++) pkts.push(rtcpPkt(k * 0.01, A, 4001 + 10 * k, B, 5001 + 10 * k, [srIn(1000 + k), sdesTag(1000 + k, 'apt-none')]));
  for (let k = 0; k < n; k++) {
    const call = callAway(`many-${k}`, [A, 4001 + 10 * k, B, 5001 + 10 * k]);
    calls.push(call);
    pkts.push(...setup(call, 1 + k * 0.1, sdpAt(A, 4000 + 10 * k, null, ['a=aipref:session apt-raw']), sdpAt(B, 5000 + 10 * k, null, ['a=aipref:session apt-agg'])));
  }
  // B's RTCP and RTP open windows from t=2 on
  let t = 2;
  for (let k = 0; k < n; k++) {
    pkts.push(rtcpPkt(t, B, 5001 + 10 * k, A, 4001 + 10 * k, [srIn(2000 + k)]));
    pkts.push(rtp(t + 0.001, B, 5000 + 10 * k, A, 4000 + 10 * k, 2000 + k, 1));
    t += 0.01;
  }
  // the asks, `spacing[k]` filler records before ask k; windows close (10 s) around them
  t = 11.99;
  for (let k = 0; k < n; k++) {
    for (let f = 0; f < (spacing[k] ?? 0); f++) {
      const j = (k + f) % n;
      pkts.push(rtcpPkt(t, B, 5001 + 10 * j, A, 4001 + 10 * j, [srIn(2000 + j, 1000 + j)]));
      t += 0.003;
    }
    pkts.push(rtcpPkt(t, A, 4001 + 10 * k, B, 5001 + 10 * k, [srIn(1000 + k)]));
    t += 0.003;
  }
  for (let k = 0; k < n; k++) pkts.push(rtcpPkt(t + 11 + k * 0.01, B, 5001 + 10 * k, A, 4001 + 10 * k, [srIn(2000 + k)]));
  return { pkts, calls };
}
