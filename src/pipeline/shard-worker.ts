/**
 * The worker-thread side of a shard: piscina runs exactly one of these per thread, and the
 * pipeline gives each shard a pool of one thread, so the shard's state stays in this module.
 * Its export and decision lines go back encoded (encoded-lines.ts), reports as they are.
 */
import { Shard, type ShardFinal } from './shard-state.js';
import type { CoreOutputs, MediaCoreOptions, OutputLine, TagsAnswer } from './media-core.js';
import { type EncodedLines, encodeLines } from './encoded-lines.js';
import type { MediaWork } from './media-work.js';

export type ShardTask =
  /** `merged`: other shards' lines are merged with this one's (each line keeps its frame and key) */
  | { type: 'init'; options: MediaCoreOptions; merged: boolean }
  | { type: 'work'; work: MediaWork }
  | { type: 'finish'; work: MediaWork };

/** A batch's lines as a shard thread answers them. */
export interface ThreadOutputs {
  exports: EncodedLines;
  reports: OutputLine[];
  decisions: EncodedLines;
  answers?: TagsAnswer[];
}

export type ThreadFinal = Omit<ShardFinal, 'outputs'> & { outputs: ThreadOutputs };

/** A shard's RTP and RTCP packets so far, as its core counts them for the summary. */
export interface MediaCounted {
  rtp: number;
  rtcp: number;
}

/** A batch's answer: its lines, and the counts through it (a live service counts packets as the summary will). */
export type ThreadBatch = ThreadOutputs & { counted: MediaCounted };

let shard: Shard | null = null;
let merged = false;

function encoded(outputs: CoreOutputs): ThreadOutputs {
  const lines: ThreadOutputs = { exports: encodeLines(outputs.exports, merged), reports: outputs.reports, decisions: encodeLines(outputs.decisions, merged) };
  if (outputs.answers !== undefined) lines.answers = outputs.answers;
  return lines;
}

export default function runShardTask(task: ShardTask): ThreadBatch | ThreadFinal | null {
  if (task.type === 'init') {
    shard = new Shard(task.options);
    merged = task.merged;
    return null;
  }
  if (!shard) throw new Error('shard task before init');
  if (task.type === 'work') {
    const outputs = encoded(shard.work(task.work));
    return { ...outputs, counted: { rtp: shard.core.counters.rtp, rtcp: shard.core.counters.rtcp } };
  }
  const final = shard.finish(task.work);
  return { ...final, outputs: encoded(final.outputs) };
}
