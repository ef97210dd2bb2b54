// Reads a capture through the compiled native-free reader and prints what it saw and the peak
// resident set size, so the parent test can check that reading is constant in memory.
import { readCaptureBatches } from '../../dist/native-free/capture.js';

const file = process.argv[2];
let records = 0;
let bytes = 0;
let lastFrame = 0;
const started = process.hrtime.bigint();
for await (const batch of readCaptureBatches(file)) {
  records += batch.count;
  for (let i = 0; i < batch.count; i++) bytes += batch.capLen[i];
  lastFrame = batch.firstFrame + batch.count - 1;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// maxRSS is in kilobytes on Linux
process.stdout.write(JSON.stringify({ records, bytes, lastFrame, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
