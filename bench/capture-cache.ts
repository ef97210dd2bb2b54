/**
 * The benchmark captures: generated once into os.tmpdir()/aipref-bench/ and reused by later
 * runs when the generator options and the generator's own code are the same (both are in the
 * file name), so that every figure of one run, and of consecutive runs, is measured on the
 * same bytes.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture } from '../samples/generator/generate-capture.js';

export interface BenchCaptureOptions {
  calls: number;
  durationSec: number;
  seed: number;
  videoBytes: number;
}

export interface BenchCapture {
  path: string;
  options: BenchCaptureOptions;
  bytes: number;
  packets: { total: number; sip: number; rtp: number; rtcp: number };
  /** true when this run generated it, false when an earlier run's file was reused */
  generated: boolean;
  generateSeconds?: number;
}

export const CACHE_DIR = path.join(os.tmpdir(), 'aipref-bench');

/** dist/bench/ → the compiled files whose output the capture depends on. */
const DIST_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATOR_CODE = [
  'samples/generator',
  'native-free/write.js',
  'native-free/frame-builder.js',
  'src/media/rtcp/encode.js',
  'src/media/rtp-encode.js',
];

async function generatorCodeHash(): Promise<string> {
  const h = createHash('sha1');
  for (const entry of GENERATOR_CODE) {
    const full = path.join(DIST_ROOT, entry);
    const files = entry.endsWith('.js') ? [full] : (await readdir(full)).filter((f) => f.endsWith('.js')).sort().map((f) => path.join(full, f));
    for (const f of files) {
      h.update(f.slice(DIST_ROOT.length));
      h.update(await readFile(f));
    }
  }
  return h.digest('hex').slice(0, 10);
}

function optionsKey(o: BenchCaptureOptions): string {
  return `c${o.calls}-d${o.durationSec}-s${o.seed}-v${o.videoBytes}`;
}

/** Returns the cached capture for these options, generating it first when there is none. */
export async function benchCapture(options: BenchCaptureOptions, log: (line: string) => void = () => {}): Promise<BenchCapture> {
  await mkdir(CACHE_DIR, { recursive: true });
  const key = optionsKey(options);
  const stem = `capture-${key}-g${await generatorCodeHash()}`;
  const file = path.join(CACHE_DIR, `${stem}.pcap`);
  const meta = path.join(CACHE_DIR, `${stem}.json`);
  try {
    const m = JSON.parse(await readFile(meta, 'utf8')) as { bytes: number; packets: BenchCapture['packets'] };
    const s = await stat(file);
    if (s.size === m.bytes) {
      log(`reusing ${file} (${m.packets.total} packets, ${(s.size / 1e6).toFixed(0)} MB)`);
      return { path: file, options, bytes: s.size, packets: m.packets, generated: false };
    }
  } catch {
    // no usable cached copy
  }
  // Older copies made with the same options by a different generator are stale.
  for (const f of await readdir(CACHE_DIR)) {
    if (f.startsWith(`capture-${key}-g`)) await rm(path.join(CACHE_DIR, f), { force: true });
  }
  log(`generating ${options.calls} calls × ${options.durationSec} s (video payload ${options.videoBytes} B) into ${file} ...`);
  const tmp = `${file}.${process.pid}.tmp`;
  const started = performance.now();
  const truth = await generateCapture({ calls: options.calls, durationSec: options.durationSec, seed: options.seed, videoBytes: options.videoBytes }, tmp);
  const generateSeconds = (performance.now() - started) / 1000;
  const bytes = (await stat(tmp)).size;
  await rename(tmp, file);
  await writeFile(meta, JSON.stringify({ options, bytes, packets: truth.packets, generated: new Date().toISOString() }, null, 1) + '\n');
  log(`  ${truth.packets.total} packets, ${(bytes / 1e6).toFixed(0)} MB in ${generateSeconds.toFixed(1)} s`);
  return { path: file, options, bytes, packets: truth.packets, generated: true, generateSeconds };
}

/**
 * Reads a file through once so that the figure measured next is the program's, not the disk's.
 * Some machines page out memory left untouched for a minute (here: a DAMON reclaim scheme in
 * the VM, pageout after 60 s without access), cached file pages included: a capture last read
 * before tshark's 20 s run could come back from disk for the replays after it. Returns the
 * seconds the read took (a cached 548 MB file: ~0.15 s).
 */
export async function warmPageCache(file: string): Promise<number> {
  const started = performance.now();
  const handle = await open(file, 'r');
  try {
    const buf = new Uint8Array(4 * 1024 * 1024);
    while ((await handle.read(buf, 0, buf.length, null)).bytesRead > 0);
  } finally {
    await handle.close();
  }
  return (performance.now() - started) / 1000;
}
