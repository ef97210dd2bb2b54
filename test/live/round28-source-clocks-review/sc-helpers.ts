/**
 * Shared by the round-28 per-source clocks review tests: the replay engine in-process as `live`
 * feeds it — records made into batches by SourcePacketBatcher, each naming its capture agent as
 * the HEP listener does (SourcePacket.origin `host#agentId`), ReplayOptions.clock the service's
 * time as each batch comes — and the offline replay of the same records (one source, no clock).
 */
import type { RecordBatch } from '../../../native-free/types.js';
import { replayCapture } from '../../../src/pipeline/replay-engine.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { SourcePacketBatcher } from '../../../src/sources/source-batch.js';
import type { SourcePacket } from '../../../src/sources/source-packet.js';
import type { TimedPkt } from '../clock-sources-review/cs-helpers.js';
import { POLICY, runEngine, type Line, type Run } from '../round25-idle-final-review/ifr-helpers.js';

export { call, sip, sdp, sr, type TimedPkt } from '../clock-sources-review/cs-helpers.js';
export { H, idleEnds, POLICY, type Line, type Run } from '../round25-idle-final-review/ifr-helpers.js';

/** One record as live has it: the service's time when it came, the record (its agent's stamp), its agent (origin; null: none, a UDP mirror). */
export interface Rec {
  wall: number;
  p: TimedPkt;
  agent: string | null;
}

function sink(lines: Run) {
  const into = (to: Line[]) => (l: readonly string[]) => void to.push(...l.map((x) => JSON.parse(x) as Line));
  return { exports: into(lines.exports), reports: into(lines.reports), decisions: into(lines.decisions) } as never;
}

/**
 * `batches` (each a list of records; its service time the last record's `wall`) through the
 * engine as live feeds it.
 */
export async function runLive(batches: Rec[][], o: { workers?: number; policy?: object } = {}): Promise<Run> {
  const batcher = new SourcePacketBatcher();
  let wall = batches[0]?.[0]?.wall ?? 0;
  async function* source(): AsyncGenerator<RecordBatch> {
    for (const b of batches) {
      wall = b.length > 0 ? b[b.length - 1]!.wall + 0.001 : wall;
      const pkts: SourcePacket[] = b.map((r) => ({ ...r.p, proto: 'udp', ...(r.agent === null ? {} : { origin: r.agent }) }) as SourcePacket);
      yield batcher.toBatch(pkts);
    }
  }
  const lines: Run = { reports: [], decisions: [], exports: [] };
  await replayCapture({
    capture: 'live-test',
    source: source(),
    policy: parsePolicy(JSON.stringify(o.policy ?? POLICY), 'p.json'),
    workers: o.workers ?? 0,
    windowSec: 10,
    explain: true,
    clock: () => wall,
    sink: sink(lines),
  });
  return lines;
}

/** Each record a batch of its own (live at a slow feed). */
export const oneByOne = (recs: Rec[]): Rec[][] => recs.map((r) => [r]);

/** The records as a capture file, replayed offline. */
export const runOffline = (pkts: TimedPkt[], o: { workers?: number; policy?: object } = {}): Promise<Run> => runEngine(pkts, null, o);
export const decided = (r: Run): [unknown, unknown, unknown][] => r.decisions.map((d) => [d.frame, d.decision, d.apt]);
