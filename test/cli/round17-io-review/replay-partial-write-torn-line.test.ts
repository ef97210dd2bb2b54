/**
 * Found by a review of round 17's write-failure handling, fixed since: a write that fails part-way is cut back (FileHandle.truncate) to the end of the last whole line on disk; a failed cut is said in the error (src/export/ndjson-file.ts NdjsonFile.writeAll, cutTornLine).
 */
/**
 * A write the disk takes only part of leaves half a line at the end of the file.
 *
 * Input: `aipref-enforcer replay samples/call-small.pcap --out <dir> --explain --quiet` run with a
 *   file-size limit of 1 KiB (`ulimit -f 1`, SIGXFSZ ignored: write(2) then writes what fits and
 *   the next write fails with EFBIG) — how a filesystem that fills up mid-write behaves too:
 *   write(2) returns a short count for what still fit, the next call fails with ENOSPC.
 * Was: exit 1 and `…/exports.ndjson: cannot write: file too large (EFBIG)` (right), but each of
 *   the three files is left 1024 bytes long ending inside a JSON line (last byte not '\n'):
 *   NdjsonFile.writeAll loops on short writes, so the part that fit stays on disk and the rest
 *   of the line is never written.
 * Correct: NdjsonFile's own contract ("only ever writes whole lines … never half a line") and the
 *   project rule — an I/O failure keeps what was accepted, whole: an NDJSON file (SPEC §8, one
 *   JSON object per line) whose last line cannot be parsed breaks every consumer that reads it
 *   line by line (jq, the live exporter's readers take a torn last line for a crash).
 * Fix: src/export/ndjson-file.ts NdjsonFile: track the file offset of the last whole line written
 *   (the buffers hold whole lines); when a write fails after a partial write, `handle.truncate()`
 *   the file back to that offset (truncating frees space, so it works on a full disk), then keep
 *   the failure as now.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { BIN, SMALL_PCAP } from '../bad-input-review/bad-input-helpers.js';

function limited(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    execFile('bash', ['-c', `trap '' XFSZ; ulimit -f 1; exec ${quoted}`], { encoding: 'utf8', timeout: 30_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
    });
  });
}

it('a file the disk takes only 1 KiB of ends with its last whole line, not half a line', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'r17-torn-'));
  try {
    const out = path.join(dir, 'out');
    const r = await limited(['replay', SMALL_PCAP, '--out', out, '--explain', '--quiet', '--workers', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write: file too large \(EFBIG\)\n$/);
    for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) {
      const text = await readFile(path.join(out, f), 'utf8');
      // every line in the file is a whole JSON line
      expect(text === '' || text.endsWith('\n'), `${f} ends with a newline`).toBe(true);
      for (const line of text.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line), f).not.toThrow();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
