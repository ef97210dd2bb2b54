/**
 * The file piscina loads in a shard thread when the command runs from its bundle
 * (replay-engine.ts workerFile): the shard's bundle (dist/bundle/shard-worker.cjs, made of
 * shard-worker.ts) from its code cache (src/cli/bundle-loader.ts). In the build's warm-up the
 * thread writes that cache once its shard has finished, with everything the replay ran compiled.
 */
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../cli/bundle-loader.js';
import type { ShardTask, ThreadBatch, ThreadFinal } from './shard-worker.js';

type RunShardTask = (task: ShardTask) => ThreadBatch | ThreadFinal | null;

/** dist/src/pipeline/ → dist/bundle/ */
const bundle = loadBundle(fileURLToPath(new URL('../../bundle/shard-worker.cjs', import.meta.url)), true);
const run = bundle.exports.default as RunShardTask;

export default function runBundledShardTask(task: ShardTask): ThreadBatch | ThreadFinal | null {
  const answer = run(task);
  if (task.type === 'finish') bundle.saveCache();
  return answer;
}
