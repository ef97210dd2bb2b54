/**
 * A suspicion of the review of the spool's failure handling (a settle joining another's queued
 * rewrite reports its failure again): the spool rejects both with the one error object, which the
 * exporter now tells once (src/export/http-exporter.ts tellEachOnce; the spool was fine).
 * Input: a DiskSpool whose closed segment-1 holds three large items S1, S2, S3 and a small W.
 *   S1, S2 and S3 are acknowledged in one turn: S2's settle queues the segment's rewrite (its dead
 *   lines outweigh the live ones) and S3's joins it before it runs; the rewrite's rename fails
 *   (EBUSY once).
 * Correct: both settles reject with the one error of that rewrite — the same object, which the
 *   exporter tells once (http-exporter.ts tellEachOnce), not a spool-error per settle; the dead
 *   lines stay until the segment's next rewrite (here the compaction at a stop), and a restart
 *   holds W only.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = vi.hoisted(() => ({ renameFails: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const rename = async (from: Parameters<typeof fs.rename>[0], to: Parameters<typeof fs.rename>[1]) => {
    if (state.renameFails && String(to).endsWith('segment-1.ndjson')) {
      state.renameFails = false;
      throw Object.assign(new Error('EBUSY: resource busy or locked, rename'), { code: 'EBUSY', errno: -16, syscall: 'rename' });
    }
    return fs.rename(from, to);
  };
  return { ...fs, rename, default: { ...fs, rename } };
});
const { DiskSpool } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('settles joining one queued rewrite that fails reject with the same error', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'spool-fix2-join-'));
  dirs.push(base);
  const dir = path.join(base, 'spool');
  const now = 1_900_000_000;
  const big = (id: string) => ({ id, expiresAt: now + 3600, body: JSON.stringify({ id, pad: 'x'.repeat(2000) }) });
  const spool = await DiskSpool.open(dir, { clock: () => now, segmentBytes: 6000 });
  for (const e of [big('S1'), big('S2'), { id: 'W', expiresAt: now + 3600, body: '{}' }, big('S3')]) await spool.append(e);
  state.renameFails = true;
  const settles = ['S1', 'S2', 'S3'].map((id) => spool.acknowledge(id).then(() => undefined, (err: unknown) => err));
  const [e1, e2, e3] = await Promise.all(settles);
  expect(e1).toBeUndefined();
  expect(e2).toBeInstanceOf(Error);
  expect((e2 as Error).message).toContain('segment-1.ndjson: cannot rewrite');
  expect(e3).toBe(e2);
  await spool.compact();
  expect(await readFile(path.join(dir, 'segment-1.ndjson'), 'utf8')).not.toContain('S1');
  const again = await DiskSpool.open(dir, { clock: () => now });
  expect(again.head()?.id).toBe('W');
  expect(again.size).toBe(1);
});
