/**
 * Found by a review of the spool's failure handling, fixed since: a sweep runs every step past a
 * failure (each due segment, the stray .tmp files, the pruning of `acked`, the acks rewrite) and
 * throws the first failure at the end (src/export/spool.ts DiskSpool.expire).
 * Input: a DiskSpool (fake clock 1000) in a fresh directory. Item A (expiresAt 5000) alone in
 *   segment-1 is acknowledged: segment-1 is deleted at once, and that unlink fails for good
 *   (node:fs/promises unlink of segment-1 always EPERM: an immutable flag, a file another user
 *   owns in a sticky directory). Then W and X (expiresAt 9000) are spooled in segment-2; X is
 *   delivered and acknowledged, but its id cannot be appended to acks.ndjson (appendFile fails
 *   ENOSPC once, writing nothing: a spool-error, "written at the next sweep"). Three sweeps
 *   (expire() at 1600), then the directory is copied as a kill would leave it and opened (the
 *   restart); then two more sweeps at 6000 (A's acknowledgement memory is past).
 * Correct: README (AI service): an acknowledgement the spool cannot write "is written at the next
 *   sweep (were the service to end before, a restart would deliver it once more)"; "a spool file
 *   that cannot be deleted is tried again at the next sweep" — that file is retried, it does not
 *   stop the rest of the sweep (compact() already goes on past a failure). The restart holds W only.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = vi.hoisted(() => ({ failUnlink: '', failAcksOnce: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    if (state.failUnlink !== '' && String(file) === state.failUnlink) {
      throw Object.assign(new Error(`EPERM: operation not permitted, unlink '${String(file)}'`), { code: 'EPERM', errno: -1, syscall: 'unlink' });
    }
    return fs.unlink(file);
  };
  const appendFile = async (file: Parameters<typeof fs.appendFile>[0], data: string | Uint8Array, options?: Parameters<typeof fs.appendFile>[2]) => {
    if (state.failAcksOnce && String(file).endsWith('acks.ndjson')) {
      state.failAcksOnce = false;
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return fs.appendFile(file, data, options);
  };
  return { ...fs, unlink, appendFile, default: { ...fs, unlink, appendFile } };
});
const { DiskSpool } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('one segment that cannot be deleted does not stop the rest of the sweep', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'spool-fix2-sweep-'));
  dirs.push(base);
  const dir = path.join(base, 'spool');
  let now = 1000;
  const spool = await DiskSpool.open(dir, { clock: () => now });
  await spool.append({ id: 'A', expiresAt: 5000, body: '{"secret":"A"}' });
  state.failUnlink = path.join(dir, 'segment-1.ndjson');
  await expect(spool.acknowledge('A')).rejects.toThrow('cannot delete');

  await spool.append({ id: 'W', expiresAt: 9000, body: '{"secret":"W"}' });
  await spool.append({ id: 'X', expiresAt: 9000, body: '{"secret":"X"}' });
  state.failAcksOnce = true;
  await expect(spool.acknowledge('X')).rejects.toThrow('acks.ndjson: cannot write');

  now = 1600;
  for (let i = 0; i < 3; i++) await spool.expire().catch(() => undefined);
  await spool.drained();
  const copy = path.join(base, 'copy');
  await cp(dir, copy, { recursive: true });
  const again = await DiskSpool.open(copy, { clock: () => now });
  const ids: string[] = [];
  for (let e = again.head(); e !== undefined; e = again.firstWaiting((id) => !ids.includes(id))) ids.push(e.id);
  expect(ids).toEqual(['W']);

  now = 6000;
  for (let i = 0; i < 2; i++) await spool.expire().catch(() => undefined);
  expect(spool.knows('A')).toBe(false);
});
