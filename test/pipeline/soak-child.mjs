// A live service's day in small: rounds of short calls, one round after the other, fed to one
// engine as a live source (as `live` feeds it). Prints the heap in use after a full collection
// every five rounds: `heap <round>:<MB> ...`. Run with --expose-gc: node soak-child.mjs <dir> <rounds> <workers>
import { readCaptureBatches } from '../../dist/native-free/capture.js';
import { generateCapture } from '../../dist/samples/generator/generate-capture.js';
import { replayCapture } from '../../dist/src/pipeline/replay-engine.js';
import { loadPolicyFile } from '../../dist/src/policy/policy-file.js';

const [dir, roundsArg, workersArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const policy = await loadPolicyFile(new URL('../../samples/policy.json', import.meta.url).pathname);
const heap = [];

async function* source() {
  for (let r = 0; r < rounds; r++) {
    // 40 calls of 4 s each round, new Call-IDs, tags and SSRCs (a seed per round), 8 s apart
    const file = `${dir}/round-${r}.pcap`;
    await generateCapture({ calls: 40, durationSec: 4, seed: 100 + r, videoBytes: 200, packetRateScale: 0.2, startTime: 1800000000 + r * 8 }, file);
    for await (const batch of readCaptureBatches(file)) yield batch;
    if (r % 5 === 4) {
      globalThis.gc();
      globalThis.gc();
      heap.push(`${r + 1}:${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(2)}`);
    }
  }
}

const discard = () => {};
const result = await replayCapture({ capture: 'soak', source: source(), policy, workers: Number(workersArg), windowSec: 10, explain: false, sink: { exports: discard, reports: discard, decisions: discard } });
process.stdout.write(`heap ${heap.join(' ')}\ndialogs ${result.summary.dialogs}\n`);
