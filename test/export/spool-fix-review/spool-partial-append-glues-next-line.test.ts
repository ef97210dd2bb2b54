/**
 * Found by a review of the spool write-failure fix (3cdd7f0), fixed since: an append the disk took only part of is cut back to the file's last whole line at once (or, when that cut fails, the next append starts on a line of its own), so a line appended after it is readable at the restart (src/export/spool.ts appendTo, cutTornLine).
 * Input: a DiskSpool (src/export/spool.ts) in a fresh directory; item A appended; then an append
 *   of item B that the disk takes only part of — node:fs/promises appendFile writes the first
 *   half of B's line and fails ENOSPC, as a write(2) cut short by a filling disk does (the file
 *   then ends inside B's line); then item C appended, the write succeeding (space came back: a
 *   failed rewrite's .tmp deleted, the NDJSON file cut back, another process). live stops on B's
 *   failure (write-failed) but drains: every line accepted still reaches the spool, C among them.
 *   The spool is then compacted and reopened, as the restart after such a stop does.
 * Correct: README (AI service): "a line the spool cannot take (a full disk) stops the service as
 *   an output file that cannot be written does"; the NDJSON files cut a write the disk took only
 *   part of back to its last whole line (commit a6b07a2, ndjson-file.ts), so every line written
 *   after stays readable. A line the spool reported written survives a restart: A and C are
 *   recovered.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = vi.hoisted(() => ({ cutNext: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const appendFile = async (file: Parameters<typeof fs.appendFile>[0], data: string | Uint8Array, options?: Parameters<typeof fs.appendFile>[2]) => {
    if (state.cutNext && String(file).includes('segment-')) {
      state.cutNext = false;
      const text = String(data);
      await fs.appendFile(file, text.slice(0, Math.floor(text.length / 2)));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return fs.appendFile(file, data, options);
  };
  return { ...fs, appendFile, default: { ...fs, appendFile } };
});
const { DiskSpool, SpoolFileError } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('a line appended after a write the disk took only part of is recovered at the restart', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'r18-spool-'));
  dirs.push(dir);
  const now = 1_900_000_000;
  const spool = await DiskSpool.open(dir, { clock: () => now });
  const item = (id: string) => ({ id, expiresAt: now + 3600, body: JSON.stringify({ id, pad: 'x'.repeat(40) }) });
  expect(await spool.append(item('A'))).toBe(true);
  state.cutNext = true;
  await expect(spool.append(item('B'))).rejects.toBeInstanceOf(SpoolFileError);
  expect(await spool.append(item('C'))).toBe(true);
  await spool.compact();

  const again = await DiskSpool.open(dir, { clock: () => now });
  const ids: string[] = [];
  for (let e = again.head(); e !== undefined; e = again.firstWaiting((id) => !ids.includes(id))) ids.push(e.id);
  expect(ids).toContain('A');
  expect(ids).toContain('C');
});
