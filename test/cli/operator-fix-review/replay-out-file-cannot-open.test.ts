/**
 * Found by a review of the CLI's operator use, fixed since: a replay output file that cannot be
 * opened is said in one line naming the file, as a file that cannot be written is
 * (src/cli/replay.ts replayOutputs).
 * Input: `aipref-enforcer replay samples/call-small.pcap --out <dir>` where <dir>/exports.ndjson
 *   (or reports.ndjson, or decisions.ndjson with --explain) is itself a folder, or a symlink to
 *   a file in a folder that does not exist; without --explain, a decisions.ndjson that is a folder.
 * Was: exit 1 and Node's words: `aipref-enforcer replay: EISDIR: illegal operation on a
 *   directory, open '<dir>/exports.ndjson'`; for the folder decisions.ndjson, `Path is a
 *   directory: rm returned EISDIR (is a directory) <dir>/decisions.ndjson`.
 * Correct: exit 1 (bad input that stopped the run, SPEC §8) and one line in the wording of the
 *   project's write failures (`<path>: cannot write: no space left on device (ENOSPC)`):
 *   `aipref-enforcer replay: <dir>/exports.ndjson: cannot open: illegal operation on a directory (EISDIR)`.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, run, SMALL_PCAP } from './operator-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-out-open-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('replay: an output file that cannot be opened', () => {
  for (const file of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) {
    it(`${file} a folder: exit 1, one line naming it`, async () => {
      const out = path.join(dir, `folder-${file}`);
      await mkdir(path.join(out, file), { recursive: true });
      const r = await run(['replay', SMALL_PCAP, '--out', out, '--explain', '--quiet']);
      expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: ${path.join(out, file)}: cannot open: illegal operation on a directory (EISDIR)`]);
      expect(r.code).toBe(1);
    });
  }

  it('exports.ndjson a symlink into a folder that does not exist: the system reason', async () => {
    const out = path.join(dir, 'dangling');
    await mkdir(out);
    await symlink(path.join(dir, 'no-such-folder', 'x.ndjson'), path.join(out, 'exports.ndjson'));
    const r = await run(['replay', SMALL_PCAP, '--out', out, '--quiet']);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: ${path.join(out, 'exports.ndjson')}: cannot open: no such file or directory (ENOENT)`]);
    expect(r.code).toBe(1);
  });

  it('without --explain, a decisions.ndjson left as a folder: one line naming it', async () => {
    const out = path.join(dir, 'stale-decisions');
    await mkdir(path.join(out, 'decisions.ndjson'), { recursive: true });
    const r = await run(['replay', SMALL_PCAP, '--out', out, '--quiet']);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: ${path.join(out, 'decisions.ndjson')}: cannot remove: illegal operation on a directory (EISDIR)`]);
    expect(r.code).toBe(1);
  });
});
