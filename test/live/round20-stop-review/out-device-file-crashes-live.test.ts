/**
 * Found by a review of live's stop (round 20), fixed since: only regular files are taken over as an earlier run's outputs, read with a bounded line (src/export/ndjson-rotating.ts latestExpiry).
 *
 * Input: `live --udp 127.0.0.1:0 --out <dir> --workers 0` where <dir>/exports.000001.ndjson is
 *   (before the start) a symlink to /dev/zero — a device in an output's place, as the replay
 *   side's FIFO/device finding of 2959c65; then, once it is up (or gone), SIGTERM.
 * Was (observed): the start line, then a few seconds later the process dies of an uncaught
 *   exception: "RangeError: Invalid string length at [_normalWrite] (node:internal/readline/
 *   interface…)" with Node's stack on stderr (having grown to ~1 GB first). The rotating files'
 *   scan of an earlier run's files (src/export/ndjson-rotating.ts latestExpiry, readline over
 *   the file) reads the device without end, one "line" with no newline; readline's error is
 *   thrown from its data handler, where nothing catches it.
 * Correct: SPEC §8 — errors are one clear line, never a stack; a file the scan cannot judge
 *   is the scan's `file-error` (its onError) or a refused start naming the file, and the
 *   service that took SIGTERM ends 0 (or a refusal ends 1) with one line. The comment over
 *   latestExpiry promises "memory: one line".
 * Fix: src/export/ndjson-rotating.ts latestExpiry (and the listing that feeds it): judge only
 *   regular files (lstat/fstat isFile) and bound a line's length (or read with a byte limit
 *   rather than readline), so a device, FIFO or endless line is an error for onError.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt } from '../live-helpers.js';
import { exitWithin, spawnLive } from './helpers.js';

let dir = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'r20-out-device-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it.skipIf(!existsSync('/dev/zero'))('a device in an output file\'s place: one line or a file-error, never an uncaught exception', async () => {
  const out = path.join(dir, 'out');
  await mkdir(out);
  await symlink('/dev/zero', path.join(out, 'exports.000001.ndjson'));
  const { child, text } = spawnLive(['--udp', '127.0.0.1:0', '--out', out, '--workers', '0']);
  try {
    // long enough for the scan to have read far into the device (it died within ~2 s here)
    const early = await exitWithin(child, 20_000);
    if (early === 'still running') child.kill('SIGTERM');
    const ended = early === 'still running' ? await exitWithin(child, 60_000) : early;
    const plain = text().split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect({ stack: plain.some((l) => /^\s+at |RangeError|node:internal/.test(l)), plainLines: plain.length <= 1 }, text().slice(0, 2000)).toEqual({ stack: false, plainLines: true });
    expect(ended === 'still running' ? 'still running' : [0, 1].includes(ended.code ?? -1)).toBe(true);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}, 180_000);
