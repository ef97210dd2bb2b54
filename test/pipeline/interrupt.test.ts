import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../samples/generator/generate-capture.js';

const cli = path.resolve('bin/aipref-enforcer.js');
const built = existsSync(path.resolve('dist/src/cli/main.js'));

/**
 * Runs the CLI and sends `signal` `afterMs` after `startedFile` appears (the replay creates its
 * output files just before it installs its signal handlers and starts reading): a fixed delay
 * from spawning either came before the handlers on a loaded machine or after the end of the
 * replay once replay got fast enough.
 */
function runUntilSignal(args: string[], signal: NodeJS.Signals, startedFile: string, afterMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (!existsSync(startedFile)) return;
      clearInterval(poll);
      timer = setTimeout(() => child.kill(signal), afterMs);
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!built)('replay interrupted by SIGINT or SIGTERM', () => {
  let dir: string;
  let capture: string;
  let total: number;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aipref-int-'));
    capture = path.join(dir, 'long.pcap');
    // long enough that the replay is still running when the signal comes (~5.6 million packets,
    // ~2 s of the in-thread replay; the signal comes 0.2 s after the replay starts)
    total = (await generateCapture({ calls: 20, durationSec: 1000, seed: 5, videoBytes: 60 }, capture)).packets.total;
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [signal, workers] of [['SIGINT', 0], ['SIGTERM', 2]] as const) {
    it(`${signal} (--workers ${workers}) stops reading, closes the windows and leaves whole lines`, async () => {
      const out = path.join(dir, `out-${signal}`);
      const { code, stdout } = await runUntilSignal(['replay', capture, '--policy', 'samples/policy.json', '--out', out, '--workers', String(workers), '--json', '--quiet'], signal, path.join(out, 'reports.ndjson'), 200);
      expect(code).toBe(130);
      const summary = JSON.parse(stdout.trim().split('\n').pop()!) as { packets: number; telemetry: { aggregate: number } };
      // it stopped early: fewer packets than the capture holds
      expect(summary.packets).toBeGreaterThan(0);
      expect(summary.packets).toBeLessThan(total);
      const exports = (await readFile(path.join(out, 'exports.ndjson'), 'utf8')).split('\n');
      expect(exports.pop()).toBe(''); // the file ends with a newline: no half line
      const parsed = exports.map((l) => JSON.parse(l) as { type: string; window?: { end: number } });
      // every aggregated item went into a window that was closed and written
      const aggregates = parsed.filter((e) => e.type === 'aggregate');
      expect(aggregates.length).toBeGreaterThan(0);
      const reports = (await readFile(path.join(out, 'reports.ndjson'), 'utf8')).split('\n');
      expect(reports.pop()).toBe('');
      for (const l of reports) JSON.parse(l);
    }, 60_000);
  }
});
