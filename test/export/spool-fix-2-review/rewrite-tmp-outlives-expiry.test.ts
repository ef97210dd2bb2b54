/**
 * Found by a review of the spool's failure handling, fixed since: a failed rewrite's .tmp (a
 * segment's or the acks') whose clean-up failed is remembered and its deletion retried at every
 * sweep until it goes (src/export/spool.ts DiskSpool.dropTemp, deleteStrayTemp, expire).
 * Input: a DiskSpool (fake clock 1000, segmentBytes two lines) — W (expiresAt 3000) and S
 *   (expiresAt 1500) spooled in segment-1, which S's line closes. S is acknowledged. At 1600 the sweep
 *   rewrites segment-1 without S (S's line is due): the disk takes half of segment-1.ndjson.tmp
 *   (node:fs/promises writeFile writes half of W's line and fails ENOSPC) and the clean-up unlink
 *   of the .tmp fails too (EBUSY, once). Then W is acknowledged: nothing waits in segment-1 and it
 *   is deleted. Sweeps at 1700 and at 3100 (W's expiry passed).
 * Correct: README (AI service): "by an item's expiry its bytes are gone from the spool directory
 *   whatever became of it"; SPEC §4. After the sweep at 3100 no file of the spool holds W's body.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = vi.hoisted(() => ({ cutTmp: false, failTmpUnlink: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (file: Parameters<typeof fs.writeFile>[0], data: string, options?: Parameters<typeof fs.writeFile>[2]) => {
    if (state.cutTmp && String(file).endsWith('segment-1.ndjson.tmp')) {
      state.cutTmp = false;
      await fs.writeFile(file, data.slice(0, Math.floor(data.length / 2)));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return fs.writeFile(file, data, options);
  };
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    if (state.failTmpUnlink && String(file).endsWith('.tmp')) {
      state.failTmpUnlink = false;
      throw Object.assign(new Error(`EBUSY: resource busy or locked, unlink '${String(file)}'`), { code: 'EBUSY', errno: -16, syscall: 'unlink' });
    }
    return fs.unlink(file);
  };
  return { ...fs, writeFile, unlink, default: { ...fs, writeFile, unlink } };
});
const { DiskSpool } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function filesHolding(dir: string, text: string): Promise<string[]> {
  const names: string[] = [];
  for (const name of await readdir(dir)) if ((await readFile(path.join(dir, name), 'utf8')).includes(text)) names.push(name);
  return names;
}

it("a failed rewrite's .tmp whose clean-up failed does not outlive its items' expiry", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-fix2-tmp-'));
  dirs.push(dir);
  let now = 1000;
  const W = { id: 'W', expiresAt: 3000, body: JSON.stringify({ secret: 'W-telemetry-' + 'w'.repeat(200) }) };
  const S = { id: 'S', expiresAt: 1500, body: JSON.stringify({ secret: 'S-telemetry' }) };
  // W and S in segment-1, closed by S's line
  const lineBytes = (e: typeof W) => Buffer.byteLength(JSON.stringify({ id: e.id, expiresAt: e.expiresAt, spooledAt: now, body: e.body }) + '\n');
  const spool = await DiskSpool.open(dir, { clock: () => now, segmentBytes: lineBytes(W) + lineBytes(S) });
  await spool.append(W);
  await spool.append(S);
  await spool.acknowledge('S');
  expect(await filesHolding(dir, 'W-telemetry')).toEqual(['segment-1.ndjson']);

  now = 1600;
  state.cutTmp = true;
  state.failTmpUnlink = true;
  await expect(spool.expire()).rejects.toThrow('segment-1.ndjson.tmp: cannot write');
  await spool.acknowledge('W');
  now = 1700;
  await spool.expire().catch(() => undefined);
  now = 3100;
  await spool.expire().catch(() => undefined);
  await spool.drained();
  expect(await filesHolding(dir, 'W-telemetry')).toEqual([]);
});
