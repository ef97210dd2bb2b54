/**
 * Entry point: `node dist/samples/generate.js [--calls N] [--duration S] [--seed N] [--out f.pcap]
 * [--truth f.json] [--video-bytes N] [--snaplen N] [--small]`. Prints one summary line.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GENERATE_USAGE, parseGenerateArgs, UsageError } from './generator/cli-options.js';
import { generateCapture } from './generator/generate-capture.js';
import { writeCommittedSamples } from './generator/committed-samples.js';

async function main(argv: readonly string[]): Promise<number> {
  let o;
  try {
    o = parseGenerateArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`generate: ${e.message}\n${GENERATE_USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (o.small) {
    // Built to dist/samples/generate.js; the committed samples live in the source tree.
    const written = await writeCommittedSamples(new URL('../../samples/', import.meta.url));
    process.stdout.write(`wrote ${written.join(', ')}\n`);
    return 0;
  }
  await mkdir(dirname(o.out), { recursive: true });
  const started = performance.now();
  const truth = await generateCapture(
    { calls: o.calls, durationSec: o.durationSec, seed: o.seed, videoBytes: o.videoBytes, snapLen: o.snapLen, ...(o.truth ? { truthPath: o.truth } : {}) },
    o.out,
  );
  const seconds = (performance.now() - started) / 1000;
  const bytes = (await stat(o.out)).size;
  const p = truth.packets;
  process.stdout.write(
    `${o.out}: ${p.total} packets (sip ${p.sip}, rtp ${p.rtp}, rtcp ${p.rtcp}), ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s ` +
      `(${Math.round(p.total / seconds)} packets/s, ${(bytes / 1e6 / seconds).toFixed(0)} MB/s)\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`generate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
