/**
 * Added with the fix of spool-partial-append-glues-next-line.test.ts (src/export/spool.ts appendTo): the case where the cut itself fails.
 * Input: as there — item A appended, item B's append taken half by the disk and failed ENOSPC,
 *   item C appended — but the cut back to the last whole line fails too (ftruncate EPERM: a file
 *   marked append-only). The spool is compacted and reopened.
 * Correct: B's failure says the line is left torn (`<dir>/segment-1.ndjson: cannot write: no
 *   space left on device (ENOSPC); its last line is left torn: cannot cut it off: operation not
 *   permitted (EPERM)`, the wording of src/export/ndjson-file.ts); C's line starts on a line of
 *   its own, so at the restart only B's half line is unreadable, and A and C are recovered.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = vi.hoisted(() => ({ cutNext: false, cutFails: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const appendFile = async (file: Parameters<typeof fs.appendFile>[0], data: string | Uint8Array, options?: Parameters<typeof fs.appendFile>[2]) => {
    if (state.cutNext && String(file).includes('segment-')) {
      state.cutNext = false;
      const text = String(data);
      await fs.appendFile(file, text.slice(0, Math.floor(text.length / 2)));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return fs.appendFile(file, data, options);
  };
  const open = async (...args: Parameters<typeof fs.open>) => {
    const handle = await fs.open(...args);
    if (state.cutFails) {
      handle.truncate = () => Promise.reject(Object.assign(new Error('EPERM: operation not permitted, ftruncate'), { code: 'EPERM', errno: -1, syscall: 'ftruncate' }));
    }
    return handle;
  };
  return { ...fs, appendFile, open, default: { ...fs, appendFile, open } };
});
const { DiskSpool } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('a torn line that cannot be cut off: said, and the next line starts on its own line', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-fix-torn-'));
  dirs.push(dir);
  const now = 1_900_000_000;
  const spool = await DiskSpool.open(dir, { clock: () => now });
  const item = (id: string) => ({ id, expiresAt: now + 3600, body: JSON.stringify({ id, pad: 'x'.repeat(40) }) });
  expect(await spool.append(item('A'))).toBe(true);
  state.cutNext = true;
  state.cutFails = true;
  await expect(spool.append(item('B'))).rejects.toThrow(
    `${path.join(dir, 'segment-1.ndjson')}: cannot write: no space left on device (ENOSPC); its last line is left torn: cannot cut it off: operation not permitted (EPERM)`,
  );
  state.cutFails = false;
  expect(await spool.append(item('C'))).toBe(true);
  await spool.compact();

  const again = await DiskSpool.open(dir, { clock: () => now });
  const ids: string[] = [];
  for (let e = again.head(); e !== undefined; e = again.firstWaiting((id) => !ids.includes(id))) ids.push(e.id);
  expect(ids).toEqual(['A', 'C']);
  expect(again.stats.unreadableLines).toBe(1);
});
