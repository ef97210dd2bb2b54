/**
 * Found by a review of the AI-service spool, fixed since: a spool.lock that cannot be written is one
 * line naming it, in the spool's words (src/export/spool.ts DiskSpool.open).
 * Input: an AiServiceExporter whose spool folder refuses new files (node:fs/promises writeFile of the
 *   lock's own file `spool.lock.<uuid>.tmp` fails EACCES, as in a read-only folder).
 * Was (with the lock first taken): Node's own words, `EACCES: permission denied, open '<dir>/spool.lock.…tmp'`.
 * Correct: `<dir>/spool.lock: cannot take the lock: permission denied (EACCES)`, and nothing left behind.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (file: Parameters<typeof fs.writeFile>[0], data: string, options?: Parameters<typeof fs.writeFile>[2]) => {
    if (/spool\.lock\.[^/]*\.tmp$/.test(String(file)))
      throw Object.assign(new Error(`EACCES: permission denied, open '${String(file)}'`), { code: 'EACCES', errno: -13, syscall: 'open' });
    return fs.writeFile(file, data, options);
  };
  return { ...fs, writeFile, default: { ...fs, writeFile } };
});
const { AiServiceExporter } = await import('../../../src/export/http-exporter.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('a folder where the lock cannot be written: one line naming the lock file', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'spool-lock-review-rofs-'));
  dirs.push(base);
  const spoolDir = path.join(base, 'spool');
  await expect(AiServiceExporter.open({ url: 'http://127.0.0.1:9/ingest', spoolDir })).rejects.toThrow(
    `${path.join(spoolDir, 'spool.lock')}: cannot take the lock: permission denied (EACCES)`,
  );
  expect(await readdir(spoolDir)).toEqual([]);
});
