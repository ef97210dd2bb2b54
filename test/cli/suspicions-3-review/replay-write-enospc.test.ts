/**
 * Found by a review of suspicions, fixed since: a file replay cannot write (ENOSPC) stops the run with exit 1 and one line `<path>: cannot write: no space left on device (ENOSPC)`, the other files written to their end (src/export/ndjson-file.ts NdjsonFile.enqueue/close, src/cli/replay.ts replayOutputs).
 */
/**
 * A write that fails with ENOSPC (disk full) does not name the file.
 *
 * Input: `aipref-enforcer replay samples/call-small.pcap --out <dir> --explain`, one of
 *   <dir>/exports.ndjson, reports.ndjson, decisions.ndjson being a symlink to /dev/full (every
 *   write to it fails with ENOSPC; opening it succeeds). Also NdjsonFile itself (the writer of
 *   replay's three files and of `live --out`'s rotating ones) over /dev/full.
 * Was: exit 1 and `aipref-enforcer replay: ENOSPC: no space left on device, write` — which of the
 *   three files could not be written is not said (Node's write error carries no path). A write
 *   that failed in the middle of a run (a full 256 KiB buffer flushed) left a rejected promise
 *   nobody waited for until close, and close() never closed the file's handle after it.
 * Correct: the project rule — bad input or an I/O failure gets a clear one-line error naming the
 *   file and what was wrong, and loses nothing already accepted (the other two files are whole);
 *   SPEC §8: exit 1, one line, never a stack. Wording as the project's other file errors
 *   (`<path>: cannot read policy file: …`): `<path>: cannot write: no space left on device (ENOSPC)`.
 * Fix: src/export/ndjson-file.ts NdjsonFile: a failed write rejects with an error naming the
 *   file; close() closes the handle whatever the writes did.
 */
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NdjsonFile } from '../../../src/export/ndjson-file.js';
import { run, SMALL_PCAP } from '../bad-input-review/bad-input-helpers.js';
import { Workspace } from '../../e2e/e2e-helpers.js';

const FILES = ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson'] as const;
let dir: string;
/** the lines of each file of a run that could write them all */
const reference = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-enospc-'));
  const out = path.join(dir, 'reference');
  const r = await run(['replay', SMALL_PCAP, '--out', out, '--explain', '--quiet']);
  expect(r.code).toBe(0);
  for (const f of FILES) reference.set(f, await readFile(path.join(out, f), 'utf8'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync('/dev/full'))('replay --out when a file cannot be written (ENOSPC)', () => {
  for (const full of FILES) {
    it(`${full} on a full disk: exit 1, one line naming ${full}, the other files whole`, async () => {
      const out = path.join(dir, full.replace('.ndjson', ''));
      await mkdir(out);
      await symlink('/dev/full', path.join(out, full));
      const r = await run(['replay', SMALL_PCAP, '--out', out, '--explain', '--quiet']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`aipref-enforcer replay: ${path.join(out, full)}: cannot write: no space left on device (ENOSPC)\n`);
      for (const other of FILES.filter((f) => f !== full)) expect(await readFile(path.join(out, other), 'utf8'), other).toBe(reference.get(other));
    });
  }
});

describe.skipIf(!existsSync('/dev/full'))('NdjsonFile on a full disk', () => {
  it('a write failing mid-run (a buffer flushed) names the file, leaves no unhandled rejection, and close() still closes the handle', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const file = await NdjsonFile.create('/dev/full', 64);
      for (let i = 0; i < 10; i++) file.writeLine(JSON.stringify({ n: i, pad: 'x'.repeat(40) }));
      // the flushes went out with the lines: their failure settles meanwhile, awaited by nobody yet
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      await expect(file.close()).rejects.toThrow(/^\/dev\/full: cannot write: no space left on device \(ENOSPC\)$/);
      // the handle is closed: closing it again through the file is a no-op that does not throw EBADF
      await expect(file.close()).rejects.toThrow(/cannot write/);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe.skipIf(!existsSync('/dev/full'))('replay --out when a file fills the disk in the middle of a run', () => {
  it('stops with exit 1 and one line naming the file (no stack), the other files holding whole lines of what was accepted', async () => {
    const ws = new Workspace();
    try {
      // exports.ndjson past 256 KiB: its first buffer is flushed (and fails) long before the end
      const { path: capture } = await ws.generate({ calls: 20, durationSec: 20, seed: 3 });
      const refOut = path.join(await ws.folder(), 'reference');
      expect((await run(['replay', capture, '--out', refOut, '--explain', '--quiet'])).code).toBe(0);
      expect((await readFile(path.join(refOut, 'exports.ndjson'))).length).toBeGreaterThan(1 << 18);
      const out = path.join(await ws.folder(), 'full');
      await mkdir(out);
      await symlink('/dev/full', path.join(out, 'exports.ndjson'));
      const r = await run(['replay', capture, '--out', out, '--explain', '--quiet']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`aipref-enforcer replay: ${path.join(out, 'exports.ndjson')}: cannot write: no space left on device (ENOSPC)\n`);
      for (const other of ['reports.ndjson', 'decisions.ndjson']) {
        const text = await readFile(path.join(out, other), 'utf8');
        const whole = await readFile(path.join(refOut, other), 'utf8');
        // what was written is the start of the whole run's file, in whole lines
        expect(text === '' || text.endsWith('\n'), other).toBe(true);
        expect(whole.startsWith(text), other).toBe(true);
      }
      expect((await readFile(path.join(out, 'decisions.ndjson'))).length).toBeGreaterThan(0);
    } finally {
      await ws.cleanup();
    }
  }, 60_000);
});
