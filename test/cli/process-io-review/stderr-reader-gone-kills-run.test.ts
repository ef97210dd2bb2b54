/**
 * Found by a review of process-level behaviour, fixed since: an error on stderr (its reader gone: EPIPE) is ignored, progress and warnings stop there and the run goes on (src/cli/main.ts main).
 */
/**
 * Input: a generated 2-call, 60 s capture (~18 MB) fed through a FIFO at ~2 MiB/s to
 *   `replay <fifo> --out <dir> --workers 0` and to `inspect <fifo> --json`, whose stderr is
 *   a pipe whose reader goes away after the first progress line (`… 2>&1 | head -1`, a log
 *   collector that restarts, `2> >(…)` that exits). A twin run whose stderr stays read is the reference.
 * Was: the next progress line (5 s later) hits EPIPE; nothing handles 'error' on process.stderr, so
 *   the uncaught `write EPIPE` (thrown from Progress.update) kills the run: exit 1, no summary,
 *   replay's reports.ndjson left empty (windows never closed, nothing of the reports decided so far
 *   written, no malformed-input saying where it stopped), inspect's stdout cut short.
 * Correct: progress is a side channel: its reader leaving must not change what the run writes.
 *   main.ts already treats a stdout reader leaving as the end of output, not a crash; SPEC §8 /
 *   README "Exit codes": exit 1 only for bad input, a run is stopped only by bad input or a
 *   signal (README: SIGINT/SIGTERM close the windows and the files cleanly). The outputs must
 *   be those of the reference run, exit 0.
 * Fix: src/cli/progress.ts (and main.ts for other stderr lines): handle 'error' on process.stderr —
 *   on EPIPE stop writing progress/warnings there and let the run go on (or stop it through the
 *   interrupt controller so windows close and files end whole).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../../samples/generator/generate-capture.js';
import { makeFifo, runFedSlowly, SMALL_POLICY } from './process-helpers.js';

let dir: string;
let capture: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-stderr-gone-'));
  const file = path.join(dir, 'call.pcap');
  await generateCapture({ calls: 2, durationSec: 60, seed: 3 }, file);
  capture = new Uint8Array(await readFile(file));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const progressLines = (stderr: string) => stderr.split('\n').filter((l) => /packets, [\d.]+ MB\/s/.test(l));

describe('a stderr whose reader goes away during a run', () => {
  it('replay: the run goes on; exports and reports as with stderr read; exit 0', async () => {
    const args = (fifo: string, out: string) => ['replay', fifo, '--policy', SMALL_POLICY, '--out', out, '--workers', '0'];
    const refOut = path.join(dir, 'ref-replay');
    const goneOut = path.join(dir, 'gone-replay');
    const [f1, f2] = [makeFifo(path.join(dir, 'r1.fifo')), makeFifo(path.join(dir, 'r2.fifo'))];
    const [ref, gone] = await Promise.all([runFedSlowly(args(f1, refOut), f1, capture), runFedSlowly(args(f2, goneOut), f2, capture, { closeStderrAfterFirstLine: true })]);
    // the premise: the run lasts long enough for a second progress line
    expect(ref.code).toBe(0);
    expect(progressLines(ref.stderr).length).toBeGreaterThanOrEqual(2);
    expect(progressLines(gone.stderr).length).toBeGreaterThanOrEqual(1);

    const refReports = await readFile(path.join(refOut, 'reports.ndjson'), 'utf8');
    expect(refReports.length).toBeGreaterThan(0);
    expect({ code: gone.code, summary: gone.stdout.includes('written to') }).toEqual({ code: 0, summary: true });
    expect(await readFile(path.join(goneOut, 'reports.ndjson'), 'utf8')).toBe(refReports);
    expect(await readFile(path.join(goneOut, 'exports.ndjson'), 'utf8')).toBe(await readFile(path.join(refOut, 'exports.ndjson'), 'utf8'));
  }, 60_000);

  it('inspect --json: every line on stdout as with stderr read; exit 0', async () => {
    const [f1, f2] = [makeFifo(path.join(dir, 'i1.fifo')), makeFifo(path.join(dir, 'i2.fifo'))];
    const [ref, gone] = await Promise.all([runFedSlowly(['inspect', f1, '--json'], f1, capture), runFedSlowly(['inspect', f2, '--json'], f2, capture, { closeStderrAfterFirstLine: true })]);
    expect(ref.code).toBe(0);
    expect(progressLines(ref.stderr).length).toBeGreaterThanOrEqual(2);
    const lines = (s: string) => s.split('\n').length - 1;
    expect({ code: gone.code, lines: lines(gone.stdout) }).toEqual({ code: 0, lines: lines(ref.stdout) });
  }, 60_000);
});
