/**
 * Settled items (acknowledged, refused, pushed out) leave the disk by their expiry, without a
 * rewrite per acknowledgement. The file system is wrapped to count what the rewrites write.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool, SpoolFileError } from '../../src/export/spool.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, writeFile: vi.fn(actual.writeFile), rename: vi.fn(actual.rename), appendFile: vi.fn(actual.appendFile) };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aipref-spool-compaction-'));
  vi.mocked(writeFile).mockClear();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const item = (n: number, expiresAt: number | null = null): { id: string; expiresAt: number | null; body: string } => ({ id: `id-${n}`, expiresAt, body: JSON.stringify({ secret: `SECRET-${n}-` }) });

async function segmentsText(): Promise<string> {
  const names = (await readdir(dir)).filter((n) => /^segment-\d+\.ndjson$/.test(n));
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).join('');
}

/** Segment rewrites so far: how many, and how many bytes they wrote. */
function rewrites(): { count: number; bytes: number } {
  const calls = vi.mocked(writeFile).mock.calls.filter(([path]) => /segment-\d+\.ndjson\.tmp$/.test(String(path)));
  return { count: calls.length, bytes: calls.reduce((sum, [, data]) => sum + Buffer.byteLength(String(data)), 0) };
}

describe('disk spool: settled lines on disk', () => {
  it('an acknowledged line stays (no rewrite) until its expiry, then goes while its neighbours stay', async () => {
    let now = 1000;
    const spool = await DiskSpool.open(dir, { clock: () => now });
    for (const n of [1, 2, 3]) await spool.append(item(n, n === 2 ? 1500 : 3000));
    await spool.acknowledge('id-2');
    now = 1499;
    await spool.expire();
    await spool.drained();
    expect(rewrites().count).toBe(0);
    expect(await segmentsText()).toContain('SECRET-2-');
    now = 1500;
    await spool.expire();
    await spool.drained();
    const text = await segmentsText();
    expect(text).not.toContain('SECRET-2-');
    expect(text).toContain('SECRET-1-');
    expect(text).toContain('SECRET-3-');
    expect(rewrites().count).toBe(1);
    // and a restart neither brings it back nor loses the others (its id is forgotten too, as
    // its time is over: a copy sent again is refused as expired)
    const reopened = await DiskSpool.open(dir, { clock: () => now });
    expect(reopened.size).toBe(2);
    expect(reopened.knows('id-2')).toBe(false);
    expect(await reopened.append(item(2, 1500))).toBe(false);
    expect(await segmentsText()).not.toContain('SECRET-2-');
  });

  it('compact() (what the exporter calls at close, after which no sweep runs) cuts every settled line at once, due or not', async () => {
    const now = 1000;
    const spool = await DiskSpool.open(dir, { clock: () => now });
    for (const n of [1, 2, 3]) await spool.append(item(n, 3000));
    await spool.acknowledge('id-2');
    await spool.drained();
    expect(await segmentsText()).toContain('SECRET-2-');
    await spool.compact();
    const text = await segmentsText();
    expect(text).not.toContain('SECRET-2-');
    expect(text).toContain('SECRET-1-');
    expect(text).toContain('SECRET-3-');
    const reopened = await DiskSpool.open(dir, { clock: () => now });
    expect(reopened.size).toBe(2);
  });

  it('an item settled after its expiry (a late answer) leaves the disk at once', async () => {
    let now = 1000;
    const spool = await DiskSpool.open(dir, { clock: () => now });
    await spool.append(item(1, 1010));
    await spool.append(item(2, 3000));
    now = 1011; // no sweep ran yet
    await spool.discard('id-1');
    await spool.drained();
    expect(await segmentsText()).not.toContain('SECRET-1-');
    expect(await segmentsText()).toContain('SECRET-2-');
  });

  it('a burst acknowledged one by one, in any order, is rewritten far less than once per acknowledgement and never writes more than was spooled, nor keeps more than twice what waits', async () => {
    const spool = await DiskSpool.open(dir, { segmentBytes: 2048 });
    const count = 1000;
    await Promise.all(Array.from({ length: count }, (_, n) => spool.append(item(n))));
    await spool.drained();
    const spooledBytes = Buffer.byteLength(await segmentsText());
    // a fixed shuffle (LCG), so that every segment is acknowledged out of order
    const order = Array.from({ length: count }, (_, n) => n);
    let seed = 7;
    for (let i = count - 1; i > 0; i--) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const acked = new Set<string>();
    for (const [k, n] of order.entries()) {
      await spool.acknowledge(`id-${n}`);
      acked.add(`id-${n}`);
      if (k % 50 === 0) {
        // on disk: no more than twice what waits, plus the active segment
        const lines = (await segmentsText()).split('\n').filter((l) => l !== '');
        const bytes = (ls: string[]): number => ls.reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0);
        const waiting = lines.filter((l) => !acked.has((JSON.parse(l) as { id: string }).id));
        expect(bytes(lines)).toBeLessThanOrEqual(2 * bytes(waiting) + 2048 + 200);
      }
    }
    await spool.drained();
    expect(await segmentsText()).toBe('');
    const { count: rewritten, bytes } = rewrites();
    expect(rewritten).toBeGreaterThan(0);
    expect(rewritten).toBeLessThan(count / 4);
    expect(bytes).toBeLessThanOrEqual(spooledBytes);
  });

  it('a closed segment is rewritten once its settled lines outweigh its waiting ones', async () => {
    const lineBytes = Buffer.byteLength(JSON.stringify({ id: 'id-1', expiresAt: null, spooledAt: 1000, ...{ body: item(1).body } }) + '\n');
    // the fifth line fills the first segment: it is closed, the sixth item opens the next
    const spool = await DiskSpool.open(dir, { clock: () => 1000, segmentBytes: 5 * lineBytes });
    for (const n of [1, 2, 3, 4, 5, 6]) await spool.append(item(n));
    await spool.acknowledge('id-1');
    await spool.acknowledge('id-2');
    await spool.drained();
    expect(rewrites().count).toBe(0); // 2 settled < 3 waiting
    await spool.acknowledge('id-3');
    await spool.drained();
    expect(rewrites().count).toBe(1); // 3 settled ≥ 2 waiting
    const names = (await readdir(dir)).filter((n) => /^segment-\d+\.ndjson$/.test(n)).sort();
    expect(names).toHaveLength(2);
    const first = await readFile(join(dir, names[0]!), 'utf8');
    expect(first.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['id-4', 'id-5']);
    // the active segment is not rewritten for weight (it is at most segmentBytes): only for time
    await spool.append(item(7));
    await spool.acknowledge('id-6');
    await spool.drained();
    expect(rewrites().count).toBe(1);
  });

  it('a rewrite that fails is reported and tried again by the next sweep', async () => {
    let now = 1000;
    const spool = await DiskSpool.open(dir, { clock: () => now });
    await spool.append(item(1, 1500));
    await spool.append(item(2, 3000));
    await spool.acknowledge('id-1');
    now = 1600;
    vi.mocked(rename).mockRejectedValueOnce(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await expect(spool.expire()).rejects.toBeInstanceOf(SpoolFileError);
    expect(await segmentsText()).toContain('SECRET-1-');
    // the half-done rewrite leaves no .tmp behind: it held item bodies a sweep would never see
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await spool.expire();
    await spool.drained();
    expect(await segmentsText()).not.toContain('SECRET-1-');
    expect(await segmentsText()).toContain('SECRET-2-');
  });
});
