/**
 * Found by a review of the CLI's operator use, fixed since: a `--spool` folder that cannot be
 * made is said in one line naming the flag, the folder and what is in the way, as `--out` is,
 * before the service listens (src/cli/live.ts startLive, src/cli/out-dir.ts checkOutDir;
 * src/export/spool.ts DiskSpool.open for callers other than the CLI).
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --to http://127.0.0.1:9/x --spool <file>/sub`
 *   (a file in the way of a parent), and `--spool <file>` (the folder itself a file).
 * Was: exit 1 and Node's words from DiskSpool.open's mkdir: `aipref-enforcer live: ENOTDIR: not
 *   a directory, stat '<file>/sub'`; for `--spool <file>`, `<file>: cannot read: not a directory
 *   (ENOTDIR)` from the spool's recovery, which does not say the folder is a file.
 * Correct: one line as `--out` gets from out-dir.ts: `aipref-enforcer live: --spool <file>/sub:
 *   <file> is not a folder`, `--spool <file>: it is not a folder`; exit 1. DiskSpool.open on its
 *   own: `<dir>: cannot make the folder: not a directory (ENOTDIR)`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskSpool } from '../../../src/export/spool.js';
import { lines, run } from './operator-helpers.js';

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-spool-make-'));
  file = path.join(dir, 'a-file');
  await writeFile(file, 'x');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const live = (spool: string) => run(['live', '--udp', '127.0.0.1:0', '--to', 'http://127.0.0.1:9/x', '--spool', spool, '--quiet'], { timeoutMs: 15_000 });

describe('live --spool that cannot be a folder', () => {
  it('a file in the way of a parent: one line naming --spool and the file', async () => {
    const r = await live(path.join(file, 'sub'));
    expect(lines(r.stderr)).toEqual([`aipref-enforcer live: --spool ${path.join(file, 'sub')}: ${file} is not a folder`]);
    expect(r.code).toBe(1);
  });

  it('the folder itself a file: one line saying so', async () => {
    const r = await live(file);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer live: --spool ${file}: it is not a folder`]);
    expect(r.code).toBe(1);
  });

  it('DiskSpool.open (no CLI in front): one line naming the folder and the reason', async () => {
    await expect(DiskSpool.open(path.join(file, 'sub'))).rejects.toThrow(new RegExp(`^${path.join(file, 'sub').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot make the folder: not a directory \\(ENOTDIR\\)$`));
  });
});
