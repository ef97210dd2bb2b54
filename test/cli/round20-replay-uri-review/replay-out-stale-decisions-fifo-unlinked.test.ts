/**
 * Found by a review of replay outputs (round 20), fixed since: only a regular stale decisions.ndjson is removed, lstat'd: a symlink, FIFO or device is the operator's (src/cli/replay.ts removeStale).
 *
 * Input: an operator keeps decisions away from the disk or streams them to a consumer:
 *   `ln -s /dev/null out/decisions.ndjson` (or `mkfifo out/decisions.ndjson`), then runs
 *   `aipref-enforcer replay call-small.pcap --out out` without --explain.
 * Was: (observed) the run unlinks out/decisions.ndjson (the /dev/null symlink, the FIFO): the
 *   "stale decisions.ndjson" rule removes whatever has that name. The next `--explain` run then
 *   writes a real decisions.ndjson (one line per telemetry item: the biggest output by far) where
 *   the operator had routed it to /dev/null; a consumer blocked on the FIFO waits forever.
 * Correct: the rule exists so "the folder never holds decisions that disagree with its exports"
 *   (README replay) — a FIFO or a device holds no lines, so nothing can disagree; only a regular
 *   file an earlier run left is stale. 2959c65 itself treats FIFOs and devices in the outputs'
 *   places as the operator's choice, opened as they are (checkOpenable).
 * Fix: src/cli/replay.ts removeStale: stat() the path first and unlink only a regular file
 *   (a FIFO, character device or symlink to one stays).
 */
import { spawnSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, SMALL_PCAP, SMALL_POLICY } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-replay-stale-dev-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a decisions.ndjson symlinked to /dev/null stays after a run without --explain', async () => {
  const out = path.join(dir, 'devnull');
  await mkdir(out);
  await symlink('/dev/null', path.join(out, 'decisions.ndjson'));
  const r = cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet']);
  expect(r.status).toBe(0);
  const st = await lstat(path.join(out, 'decisions.ndjson')).catch(() => null);
  expect(st?.isSymbolicLink() ?? false, 'out/decisions.ndjson -> /dev/null was removed').toBe(true);
}, 120_000);

it('a FIFO at decisions.ndjson stays after a run without --explain', async () => {
  const out = path.join(dir, 'fifo');
  await mkdir(out);
  expect(spawnSync('mkfifo', [path.join(out, 'decisions.ndjson')]).status).toBe(0);
  const r = cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet']);
  expect(r.status).toBe(0);
  const st = await lstat(path.join(out, 'decisions.ndjson')).catch(() => null);
  expect(st?.isFIFO() ?? false, 'the FIFO out/decisions.ndjson was removed').toBe(true);
}, 120_000);
