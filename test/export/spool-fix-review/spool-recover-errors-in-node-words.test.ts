/**
 * Found by a review of spool write failures, fixed since: every file error of the recovery at start is a SpoolFileError naming its file (`<file>: cannot write|read|delete: <reason>`), and a fresh segment that could not be written leaves no .tmp (src/export/spool.ts recover).
 * DiskSpool.open's recovery (src/export/spool.ts recover) when a file of the spool cannot be
 * read or written: at the start after a full disk, say.
 * Input: a spool directory holding segment-1.ndjson (one waiting item, written by a first
 *   DiskSpool) is opened again, with:
 *   a) the write of the fresh segment (segment-2.ndjson.tmp) failing ENOSPC (node:fs/promises
 *      writeFile, mocked);
 *   b) its rename to segment-2.ndjson failing ENOSPC;
 *   c) acks.ndjson a directory (readFile: EISDIR);
 *   d) a segment-7.ndjson that is a directory.
 * Correct: a SpoolFileError naming the file, what was being done, and the system's reason in one
 *   line: `<dir>/segment-2.ndjson.tmp: cannot write: no space left on device (ENOSPC)`,
 *   `<dir>/acks.ndjson: cannot read: illegal operation on a directory (EISDIR)`; and no .tmp with
 *   item bodies left behind by a) (no sweep would see it before the next start).
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = vi.hoisted(() => ({ failWrite: '', failRename: '' }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  const writeFile = async (file: Parameters<typeof fs.writeFile>[0], data: string, options?: Parameters<typeof fs.writeFile>[2]) => {
    if (state.failWrite !== '' && String(file) === state.failWrite) {
      state.failWrite = '';
      await fs.writeFile(file, data.slice(0, data.length >> 1));
      throw enospc();
    }
    return fs.writeFile(file, data, options);
  };
  const rename = async (from: Parameters<typeof fs.rename>[0], to: Parameters<typeof fs.rename>[1]) => {
    if (state.failRename !== '' && String(to) === state.failRename) {
      state.failRename = '';
      throw enospc();
    }
    return fs.rename(from, to);
  };
  return { ...fs, writeFile, rename, default: { ...fs, writeFile, rename } };
});
const { DiskSpool, SpoolFileError } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function spoolWithOneItem(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-fix-recover-'));
  dirs.push(dir);
  const spool = await DiskSpool.open(dir, { clock: () => 1000 });
  await spool.append({ id: 'A', expiresAt: 5000, body: '{"secret":"A"}' });
  await spool.drained();
  expect(await readdir(dir)).toContain('segment-1.ndjson');
  return dir;
}

async function openFails(dir: string, message: string): Promise<void> {
  const opening = DiskSpool.open(dir, { clock: () => 1000 });
  await expect(opening).rejects.toBeInstanceOf(SpoolFileError);
  await expect(opening).rejects.toThrow(message);
  expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
}

it('a) the fresh segment cannot be written: named, no .tmp left', async () => {
  const dir = await spoolWithOneItem();
  state.failWrite = path.join(dir, 'segment-2.ndjson.tmp');
  await openFails(dir, `${dir}/segment-2.ndjson.tmp: cannot write: no space left on device (ENOSPC)`);
  // what was there is still there, and a start with room takes it up
  expect((await DiskSpool.open(dir, { clock: () => 1000 })).size).toBe(1);
});

it('b) the fresh segment cannot take its name: named, no .tmp left', async () => {
  const dir = await spoolWithOneItem();
  state.failRename = path.join(dir, 'segment-2.ndjson');
  await openFails(dir, `${dir}/segment-2.ndjson: cannot write: no space left on device (ENOSPC)`);
  expect((await DiskSpool.open(dir, { clock: () => 1000 })).size).toBe(1);
});

it('c) acks.ndjson cannot be read: named', async () => {
  const dir = await spoolWithOneItem();
  await rm(path.join(dir, 'acks.ndjson'));
  await mkdir(path.join(dir, 'acks.ndjson'));
  await openFails(dir, `${dir}/acks.ndjson: cannot read: illegal operation on a directory (EISDIR)`);
});

it('d) a segment cannot be read: named', async () => {
  const dir = await spoolWithOneItem();
  await mkdir(path.join(dir, 'segment-7.ndjson'));
  await openFails(dir, `${dir}/segment-7.ndjson: cannot read: illegal operation on a directory (EISDIR)`);
});
