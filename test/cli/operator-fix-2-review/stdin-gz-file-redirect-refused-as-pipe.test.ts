/**
 * Found by a review of standard input and output-file errors (185a36b), fixed since: a regular gzip file redirected onto standard input is read through zlib (native-free/capture.ts stdinReader); gzip through a pipe stays refused.
 */
/**
 * Input: `aipref-enforcer inspect - < call.pcap.gz` (and replay): stdin a regular gzip file,
 *   redirected by the shell.
 * Was: exit 1, `aipref-enforcer inspect: stdin: at byte 0: gzip-compressed data through a
 *   pipe: give the .gz file itself, or decompress it on the way (zcat)` — there is no pipe, and
 *   `inspect /dev/stdin < call.pcap.gz` (the way the usage named before this change) reads the
 *   very same redirection: the file's 440 lines. So `-` and /dev/stdin disagree on one input.
 * Correct: the usage says `<capture>: a pcap or pcapng file (or .gz) … or - for standard input`:
 *   `-` over a redirected .gz file gives the .gz file's output, as /dev/stdin does and as the
 *   file by its name does (tshark -r - reads gzip on stdin too). At the least the refusal
 *   must not say "through a pipe" of a file.
 * Fix: native-free/capture.ts readCaptureBatches: for STDIN_CAPTURE whose first two bytes are
 *   gzip's magic, read process.stdin through createGunzip (as gunzipReader does for a file,
 *   named `stdin (decompressed)`, offsets decompressed) — at least when fstatSync(0).isFile().
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, SMALL_PCAP } from './stdin-helpers.js';

let dir: string;
let gz: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-gz-stdin-'));
  gz = path.join(dir, 'call.pcap.gz');
  await writeFile(gz, gzipSync(await readFile(SMALL_PCAP)));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function withStdinFrom(file: string, args: string[]) {
  const fd = openSync(file, 'r');
  try {
    return spawnSync(process.execPath, [BIN, ...args], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 });
  } finally {
    closeSync(fd);
  }
}

describe('`-` over a redirected .gz file', () => {
  it('inspect - < call.pcap.gz: the lines inspect /dev/stdin and inspect call.pcap.gz give', () => {
    const byName = spawnSync(process.execPath, [BIN, 'inspect', gz, '--json'], { encoding: 'utf8' });
    expect(byName.status).toBe(0);
    const devStdin = withStdinFrom(gz, ['inspect', '/dev/stdin', '--json']);
    expect(devStdin.stdout).toBe(byName.stdout);
    const dash = withStdinFrom(gz, ['inspect', '-', '--json']);
    expect(dash.stderr).not.toContain('through a pipe');
    expect(dash.stderr).toBe('');
    expect(dash.status).toBe(0);
    expect(dash.stdout).toBe(byName.stdout);
  });
});
