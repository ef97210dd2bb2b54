/**
 * Found by a review of standard input and output-file errors (185a36b), fixed since: every output file is opened without emptying it, and a stale decisions.ndjson removed, before any is emptied; on refusal the files and folders made are removed (src/cli/replay.ts replayOutputs, checkOpenable).
 */
/**
 * Input: an --out folder holding an earlier run's exports.ndjson, reports.ndjson (and
 *   decisions.ndjson from an --explain run); then one of them is in the way: reports.ndjson
 *   is a folder, or decisions.ndjson is a folder a run without --explain must remove, or (with
 *   --explain) decisions.ndjson is a folder. `aipref-enforcer replay call-small.pcap --out d`.
 * Was: the run is refused (exit 1, `<d>/reports.ndjson: cannot open: illegal operation on a
 *   directory (EISDIR)`), but exports.ndjson — opened first with 'w' — is already emptied
 *   (9 KB of the earlier run's lines → 0 bytes), and in the first case the earlier run's
 *   decisions.ndjson is left beside it: a folder half this run's (an empty exports), half the
 *   last one's. Without --explain and an unremovable decisions.ndjson, both exports.ndjson and
 *   reports.ndjson are emptied before the removal fails. Where exports.ndjson did not exist, the
 *   refused run leaves a new empty one.
 * Correct: a refused run leaves the folder as it found it (replayOutputs' own rule: "a run
 *   refused … leaves nothing behind"; an operator rerunning after fixing the folder expects the
 *   last good results still there): the earlier files byte for byte, nothing new made.
 * Fix: src/cli/replay.ts replayOutputs open(): find out every file can be had before emptying
 *   any — open each without truncating (flags 'a' or O_CREAT|O_WRONLY), check that a stale
 *   decisions.ndjson is removable (lstat: not a folder), then truncate them all; on failure
 *   close and unlink the ones this run created (NdjsonFile.create with a no-truncate option).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, lines, SMALL_PCAP, SMALL_POLICY } from './stdin-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-out-refused-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const replay = (out: string, ...more: string[]) =>
  spawnSync(process.execPath, [BIN, 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet', ...more], { encoding: 'utf8', timeout: 60_000 });

/** an --out folder after a good --explain run: its three files' bytes */
async function earlierRun(name: string): Promise<{ out: string; before: Record<string, string> }> {
  const out = path.join(dir, name);
  const r = replay(out, '--explain');
  expect(r.status).toBe(0);
  const before: Record<string, string> = {};
  for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) before[f] = await readFile(path.join(out, f), 'utf8');
  expect(before['exports.ndjson']!.length).toBeGreaterThan(1000);
  return { out, before };
}

describe('replay: an output file in the way leaves the others as they were', () => {
  it('reports.ndjson a folder: exports.ndjson and decisions.ndjson keep their bytes', async () => {
    const { out, before } = await earlierRun('reports-folder');
    await unlink(path.join(out, 'reports.ndjson'));
    await mkdir(path.join(out, 'reports.ndjson'));
    const r = replay(out);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: ${path.join(out, 'reports.ndjson')}: cannot open: illegal operation on a directory (EISDIR)`]);
    expect(r.status).toBe(1);
    expect(await readFile(path.join(out, 'exports.ndjson'), 'utf8')).toBe(before['exports.ndjson']);
    expect(await readFile(path.join(out, 'decisions.ndjson'), 'utf8')).toBe(before['decisions.ndjson']);
  });

  it('without --explain, decisions.ndjson a folder that cannot be removed: exports and reports keep their bytes', async () => {
    const { out, before } = await earlierRun('decisions-folder');
    await unlink(path.join(out, 'decisions.ndjson'));
    await mkdir(path.join(out, 'decisions.ndjson'));
    const r = replay(out);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: ${path.join(out, 'decisions.ndjson')}: cannot remove: illegal operation on a directory (EISDIR)`]);
    expect(r.status).toBe(1);
    expect(await readFile(path.join(out, 'exports.ndjson'), 'utf8')).toBe(before['exports.ndjson']);
    expect(await readFile(path.join(out, 'reports.ndjson'), 'utf8')).toBe(before['reports.ndjson']);
  });

  it('--explain, decisions.ndjson a folder: exports and reports keep their bytes', async () => {
    const { out, before } = await earlierRun('explain-decisions-folder');
    await unlink(path.join(out, 'decisions.ndjson'));
    await mkdir(path.join(out, 'decisions.ndjson'));
    const r = replay(out, '--explain');
    expect(r.status).toBe(1);
    expect(await readFile(path.join(out, 'exports.ndjson'), 'utf8')).toBe(before['exports.ndjson']);
    expect(await readFile(path.join(out, 'reports.ndjson'), 'utf8')).toBe(before['reports.ndjson']);
  });

  it('reports.ndjson a folder in an otherwise empty --out: no exports.ndjson is made', async () => {
    const out = path.join(dir, 'fresh');
    await mkdir(path.join(out, 'reports.ndjson'), { recursive: true });
    const r = replay(out);
    expect(r.status).toBe(1);
    expect(existsSync(path.join(out, 'exports.ndjson'))).toBe(false);
  });
});
