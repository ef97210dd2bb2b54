/**
 * The worker-thread side of a shard: piscina runs exactly one of these per thread, and the
 * pipeline gives each shard a pool of one thread, so the shard's state stays in this module.
 */
import { Shard, type ShardFinal } from './shard-state.js';
import type { CoreOutputs, MediaCoreOptions } from './media-core.js';
import type { MediaWork } from './media-work.js';

export type ShardTask =
  | { type: 'init'; options: MediaCoreOptions }
  | { type: 'work'; work: MediaWork }
  | { type: 'finish'; work: MediaWork };

let shard: Shard | null = null;

export default function runShardTask(task: ShardTask): CoreOutputs | ShardFinal | null {
  if (task.type === 'init') {
    shard = new Shard(task.options);
    return null;
  }
  if (!shard) throw new Error('shard task before init');
  return task.type === 'work' ? shard.work(task.work) : shard.finish(task.work);
}
