/**
 * Found by a review of spool write failures, fixed since: a segment whose deletion failed is known again and its deletion tried by the next sweep (src/export/spool.ts tidySegment, expire).
 * A segment whose deletion fails (the unlink refused for a moment: EBUSY, a read-only remount, an
 * immutable flag set by a backup tool).
 * Input: a DiskSpool (fake clock 1000) with item A (expiresAt 1500) in segment-1; A is
 *   acknowledged, which leaves nothing waiting in segment-1: it is deleted at once, and that
 *   unlink fails (EBUSY, once). Then the sweeps come: expire() at 1000, and at 1500 (A's expiry).
 * Correct: README (AI service): "by an item's expiry its bytes are gone from the spool directory
 *   whatever became of it"; SPEC §4. The failure is told (the acknowledge rejects with
 *   `<dir>/segment-1.ndjson: cannot delete: resource busy or locked (EBUSY)`), the segment stays
 *   known and its deletion is tried again by the next sweep: segment-1.ndjson is gone after the
 *   expire() at 1000.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = vi.hoisted(() => ({ failUnlink: '' }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    if (state.failUnlink !== '' && String(file) === state.failUnlink) {
      state.failUnlink = '';
      throw Object.assign(new Error(`EBUSY: resource busy or locked, unlink '${String(file)}'`), { code: 'EBUSY', errno: -16, syscall: 'unlink' });
    }
    return fs.unlink(file);
  };
  return { ...fs, unlink, default: { ...fs, unlink } };
});
const { DiskSpool, SpoolFileError } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('a segment whose deletion failed is deleted by the next sweep', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-fix-unlink-'));
  dirs.push(dir);
  let now = 1000;
  const spool = await DiskSpool.open(dir, { clock: () => now });
  await spool.append({ id: 'A', expiresAt: 1500, body: '{"secret":"A"}' });
  const segment = path.join(dir, 'segment-1.ndjson');
  expect(await readdir(dir)).toContain('segment-1.ndjson');
  state.failUnlink = segment;
  const acked = spool.acknowledge('A');
  await expect(acked).rejects.toBeInstanceOf(SpoolFileError);
  await expect(acked).rejects.toThrow(`${segment}: cannot delete: resource busy or locked (EBUSY)`);
  expect(await readdir(dir)).toContain('segment-1.ndjson');
  await spool.expire();
  await spool.drained();
  expect(await readdir(dir)).not.toContain('segment-1.ndjson');
  now = 1500;
  await spool.expire();
  await spool.drained();
  expect((await readdir(dir)).filter((n) => n.startsWith('segment-'))).toEqual([]);
});
