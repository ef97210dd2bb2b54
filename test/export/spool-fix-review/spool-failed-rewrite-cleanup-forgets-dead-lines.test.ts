/**
 * Found by a review of spool write failures (beside suspicion 3), fixed since: a failed segment rewrite counts its dead lines again before it deletes its .tmp, and that deletion's own failure no longer hides the rewrite's or leaves the dead lines uncounted (src/export/spool.ts tidySegment).
 * A segment rewrite that fails, and whose half-written .tmp cannot be deleted either.
 * Input: a DiskSpool (fake clock 1000) with items A (expiresAt 1500) and B (expiresAt 3000) in
 *   segment-1; A is acknowledged. At 1600 the sweep (expire()) rewrites segment-1 without A's
 *   line: the rename fails (ENOSPC), and the unlink of segment-1.ndjson.tmp that follows fails
 *   too (EBUSY, once). Then the next sweep, at 1601.
 * Correct: README (AI service): "by an item's expiry its bytes are gone from the spool directory";
 *   a failed rewrite leaves its dead lines due (as src/export/spool.ts says: "the next expire()
 *   tries again"): the first sweep rejects with the rename's failure naming the file, and after
 *   the next one segment-1.ndjson holds B only and no .tmp is left.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = vi.hoisted(() => ({ failRename: '', failUnlink: '' }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const rename = async (from: Parameters<typeof fs.rename>[0], to: Parameters<typeof fs.rename>[1]) => {
    if (state.failRename !== '' && String(to) === state.failRename) {
      state.failRename = '';
      throw Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC', errno: -28, syscall: 'rename' });
    }
    return fs.rename(from, to);
  };
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    if (state.failUnlink !== '' && String(file) === state.failUnlink) {
      state.failUnlink = '';
      throw Object.assign(new Error(`EBUSY: resource busy or locked, unlink '${String(file)}'`), { code: 'EBUSY', errno: -16, syscall: 'unlink' });
    }
    return fs.unlink(file);
  };
  return { ...fs, rename, unlink, default: { ...fs, rename, unlink } };
});
const { DiskSpool } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('a failed rewrite whose .tmp cannot be deleted leaves its dead lines due for the next sweep', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-fix-rewrite-'));
  dirs.push(dir);
  let now = 1000;
  const spool = await DiskSpool.open(dir, { clock: () => now });
  await spool.append({ id: 'A', expiresAt: 1500, body: '{"secret":"SECRET-A"}' });
  await spool.append({ id: 'B', expiresAt: 3000, body: '{"secret":"SECRET-B"}' });
  await spool.acknowledge('A');
  const segment = path.join(dir, 'segment-1.ndjson');
  now = 1600;
  state.failRename = segment;
  state.failUnlink = `${segment}.tmp`;
  await expect(spool.expire()).rejects.toThrow(`${segment}: cannot rewrite: no space left on device (ENOSPC)`);
  now = 1601;
  await spool.expire();
  await spool.drained();
  const text = await readFile(segment, 'utf8');
  expect(text).not.toContain('SECRET-A');
  expect(text).toContain('SECRET-B');
  expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
});
