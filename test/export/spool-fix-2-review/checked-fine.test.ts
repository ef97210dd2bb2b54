/**
 * Checks of the spool's write-failure handling (commits 3cdd7f0, 8e843ec) that came out fine.
 * Failure injection: node:fs/promises mocked (a partial append, an open that fails, a slow
 * append, a rename that fails), and /dev/full.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const state = vi.hoisted(() => ({
  /** the next append to a segment writes this many bytes of its text, then fails ENOSPC */
  partialSegment: undefined as number | undefined,
  /** the next append to a segment fails at open (EMFILE) */
  openFails: false,
  /** the cut's open (fs.open r+) fails once (EMFILE) */
  cutOpenFails: false,
  /** appends wait for this before writing */
  gate: undefined as Promise<void> | undefined,
  /** the next segment rename fails (EBUSY) */
  renameFails: false,
  /** what acks.ndjson held at each segment unlink */
  acksAtUnlink: [] as string[],
}));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const appendFile = async (file: Parameters<typeof fs.appendFile>[0], data: string | Uint8Array, options?: Parameters<typeof fs.appendFile>[2]) => {
    if (state.gate) await state.gate;
    if (String(file).includes('segment-')) {
      if (state.openFails) {
        state.openFails = false;
        throw Object.assign(new Error(`EMFILE: too many open files, open '${String(file)}'`), { code: 'EMFILE', errno: -24, syscall: 'open' });
      }
      if (state.partialSegment !== undefined) {
        const n = state.partialSegment;
        state.partialSegment = undefined;
        await fs.appendFile(file, Buffer.from(String(data)).subarray(0, n));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      }
    }
    return fs.appendFile(file, data, options);
  };
  const open = async (...args: Parameters<typeof fs.open>) => {
    if (state.cutOpenFails && args[1] === 'r+') {
      state.cutOpenFails = false;
      throw Object.assign(new Error('EMFILE: too many open files, open'), { code: 'EMFILE', errno: -24, syscall: 'open' });
    }
    return fs.open(...args);
  };
  const rename = async (from: Parameters<typeof fs.rename>[0], to: Parameters<typeof fs.rename>[1]) => {
    if (state.renameFails && String(to).includes('segment-')) {
      state.renameFails = false;
      throw Object.assign(new Error('EBUSY: resource busy or locked, rename'), { code: 'EBUSY', errno: -16, syscall: 'rename' });
    }
    return fs.rename(from, to);
  };
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    if (/segment-\d+\.ndjson$/.test(String(file))) {
      state.acksAtUnlink.push(await fs.readFile(path.join(path.dirname(String(file)), 'acks.ndjson'), 'utf8').catch(() => ''));
    }
    return fs.unlink(file);
  };
  const mocked = { appendFile, open, rename, unlink };
  return { ...fs, ...mocked, default: { ...fs, ...mocked } };
});
const { DiskSpool, SpoolFileError } = await import('../../../src/export/spool.js');
type Spool = Awaited<ReturnType<typeof DiskSpool.open>>;

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function freshDir(): Promise<string> {
  const base = await mkdtemp(path.join(tmpdir(), 'spool-fix2-ok-'));
  dirs.push(base);
  return path.join(base, 'spool');
}
function waiting(spool: Spool): string[] {
  const ids: string[] = [];
  for (let e = spool.head(); e !== undefined; e = spool.firstWaiting((id) => !ids.includes(id))) ids.push(e.id);
  return ids;
}
const now = 1_900_000_000;
const item = (id: string, pad = 40) => ({ id, expiresAt: now + 3600, body: JSON.stringify({ id, pad: 'x'.repeat(pad) }) });

it('cutTornLine: a file whose only line is torn (no newline at all) is cut to nothing; the next line is read at the restart', async () => {
  const dir = await freshDir();
  const spool = await DiskSpool.open(dir, { clock: () => now });
  state.partialSegment = 30;
  await expect(spool.append(item('B'))).rejects.toBeInstanceOf(SpoolFileError);
  expect((await stat(path.join(dir, 'segment-1.ndjson'))).size).toBe(0);
  expect(await spool.append(item('C'))).toBe(true);
  await spool.drained();
  const again = await DiskSpool.open(dir, { clock: () => now });
  expect(waiting(again)).toEqual(['C']);
  expect(again.stats.unreadableLines).toBe(0);
});

it('cutTornLine: a torn line longer than the 64 KiB read-back window is cut back to the last whole line', async () => {
  const dir = await freshDir();
  const spool = await DiskSpool.open(dir, { clock: () => now });
  await spool.append(item('A'));
  const before = (await stat(path.join(dir, 'segment-1.ndjson'))).size;
  state.partialSegment = 150_000;
  await expect(spool.append(item('B', 200_000))).rejects.toBeInstanceOf(SpoolFileError);
  expect((await stat(path.join(dir, 'segment-1.ndjson'))).size).toBe(before);
  await spool.append(item('C'));
  await spool.drained();
  const again = await DiskSpool.open(dir, { clock: () => now });
  expect(waiting(again)).toEqual(['A', 'C']);
  expect(again.stats.unreadableLines).toBe(0);
});

it('an open that fails (EMFILE, syscall open) took nothing: no cut, the lines before and after are whole', async () => {
  const dir = await freshDir();
  const spool = await DiskSpool.open(dir, { clock: () => now });
  await spool.append(item('A'));
  state.openFails = true;
  await expect(spool.append(item('B'))).rejects.toThrow('segment-1.ndjson: cannot write: too many open files (EMFILE)');
  await spool.append(item('C'));
  await spool.drained();
  const again = await DiskSpool.open(dir, { clock: () => now });
  expect(waiting(again)).toEqual(['A', 'C']);
});

it('a torn line whose cut fails too: the next append starts on its own line (only the torn one is unreadable)', async () => {
  const dir = await freshDir();
  const spool = await DiskSpool.open(dir, { clock: () => now });
  await spool.append(item('A'));
  state.partialSegment = 20;
  state.cutOpenFails = true;
  await expect(spool.append(item('B'))).rejects.toThrow('its last line is left torn: cannot cut it off');
  await spool.append(item('C'));
  await spool.drained();
  const copy = path.join(path.dirname(dir), 'copy');
  await cp(dir, copy, { recursive: true });
  const again = await DiskSpool.open(copy, { clock: () => now });
  expect(waiting(again)).toEqual(['A', 'C']);
  expect(again.stats.unreadableLines).toBe(1);
});

it.skipIf(!existsSync('/dev/full'))('a segment on /dev/full: a failed write (syscall write) is not taken for "took nothing", and the cut leaves a device be', async () => {
  const dir = await freshDir();
  const spool = await DiskSpool.open(dir, { clock: () => now });
  await symlink('/dev/full', path.join(dir, 'segment-1.ndjson'));
  await expect(spool.append(item('A'))).rejects.toThrow(`${path.join(dir, 'segment-1.ndjson')}: cannot write: no space left on device (ENOSPC)`);
  await expect(spool.append(item('B'))).rejects.toThrow('ENOSPC');
});

it('ordering: an acknowledgement is on disk before its segment is deleted; an append queued while a flush runs is written after it, whole', async () => {
  const dir = await freshDir();
  const spool = await DiskSpool.open(dir, { clock: () => now, segmentBytes: 1 });
  state.acksAtUnlink = [];
  let open!: () => void;
  state.gate = new Promise<void>((r) => (open = r));
  const a = spool.append(item('A'));
  await new Promise((r) => setTimeout(r, 10)); // the flush of A runs, held at its write
  const b = spool.append(item('B')); // queued while it runs
  const acked = spool.acknowledge('A'); // its segment-1 deleted after its id is appended
  state.gate = undefined;
  open();
  await Promise.all([a, b, acked]);
  await spool.drained();
  expect(state.acksAtUnlink.some((t) => t.includes('"A"'))).toBe(true);
  expect(state.acksAtUnlink.every((t) => t.includes('"A"'))).toBe(true);
  const copy = path.join(path.dirname(dir), 'copy');
  await cp(dir, copy, { recursive: true });
  expect(waiting(await DiskSpool.open(copy, { clock: () => now }))).toEqual(['B']);
});

it('a rewrite racing appends to the same (active) segment: every waiting line is in the new file or the next segment', async () => {
  const dir = await freshDir();
  let t = now;
  const spool = await DiskSpool.open(dir, { clock: () => t });
  await spool.append({ id: 'S', expiresAt: now + 10, body: '{"s":1}' });
  await spool.append(item('W1'));
  await spool.acknowledge('S');
  t = now + 20;
  const sweep = spool.expire(); // rewrites segment-1 (S's line due)
  const appends = ['W2', 'W3', 'W4'].map((id) => spool.append(item(id)));
  await Promise.all([sweep, ...appends]);
  await spool.drained();
  const seg1 = await readFile(path.join(dir, 'segment-1.ndjson'), 'utf8');
  expect(seg1).not.toContain('"S"');
  const copy = path.join(path.dirname(dir), 'copy');
  await cp(dir, copy, { recursive: true });
  expect(waiting(await DiskSpool.open(copy, { clock: () => t }))).toEqual(['W1', 'W2', 'W3', 'W4']);
});

it('a failed rewrite (rename EBUSY): the old segment stands, the next sweep rewrites it; a restart between loses nothing, delivers nothing settled or expired', async () => {
  const dir = await freshDir();
  let t = now;
  const spool = await DiskSpool.open(dir, { clock: () => t });
  await spool.append({ id: 'S', expiresAt: now + 10, body: '{"s":"S-body"}' });
  await spool.append({ id: 'E', expiresAt: now + 15, body: '{"e":1}' });
  await spool.append(item('W'));
  await spool.acknowledge('S');
  t = now + 20;
  state.renameFails = true;
  await expect(spool.expire()).rejects.toThrow('segment-1.ndjson: cannot rewrite');
  const copy = path.join(path.dirname(dir), 'copy');
  await cp(dir, copy, { recursive: true });
  const again = await DiskSpool.open(copy, { clock: () => t });
  expect(waiting(again)).toEqual(['W']);
  await spool.expire();
  await spool.drained();
  expect(await readFile(path.join(dir, 'segment-1.ndjson'), 'utf8')).not.toContain('S-body');
});
