import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool } from '../../src/export/spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aipref-spool-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const item = (n: number, expiresAt: number | null = null): { id: string; expiresAt: number | null; body: string } => ({ id: `id-${n}`, expiresAt, body: JSON.stringify({ n }) });

async function segmentsText(): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('segment-')).sort();
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).join('');
}

describe('disk spool', () => {
  it('takes a burst of appends, across segments, and gives them back in order after a restart', async () => {
    const spool = await DiskSpool.open(dir, { segmentBytes: 4096 });
    await Promise.all(Array.from({ length: 2000 }, (_, n) => spool.append(item(n))));
    await spool.drained();
    expect((await readdir(dir)).filter((n) => n.startsWith('segment-')).length).toBeGreaterThan(5);
    const reopened = await DiskSpool.open(dir, { segmentBytes: 4096 });
    expect(reopened.size).toBe(2000);
    const order: string[] = [];
    for (let e = reopened.head(); e !== undefined; e = reopened.head()) {
      order.push(e.id);
      await reopened.acknowledge(e.id);
    }
    expect(order).toEqual(Array.from({ length: 2000 }, (_, n) => `id-${n}`));
    await reopened.drained();
    expect(await segmentsText()).toBe('');
    // acknowledged ids are remembered by the next run
    const third = await DiskSpool.open(dir);
    expect(third.knows('id-1999')).toBe(true);
    expect(await third.append(item(1999))).toBe(false);
    expect(third.stats.duplicates).toBe(1);
  });

  it('skips a line cut by a crash and keeps the rest', async () => {
    const spool = await DiskSpool.open(dir);
    await spool.append(item(1));
    await spool.append(item(2));
    await spool.drained();
    const [segment] = (await readdir(dir)).filter((n) => n.startsWith('segment-'));
    await appendFile(join(dir, segment!), '{"id":"id-3","expiresAt":null,"spo');
    const reopened = await DiskSpool.open(dir);
    expect(reopened.size).toBe(2);
    expect(reopened.stats.unreadableLines).toBe(1);
  });

  it('removes expired items from disk at once, also from a segment that keeps live ones, and across restarts', async () => {
    let now = 1000;
    const spool = await DiskSpool.open(dir, { clock: () => now, maxAgeSec: 500 });
    await spool.append(item(1, 1010));
    await spool.append(item(2, 2000));
    await spool.append(item(3)); // no expiresAt: kept maxAgeSec
    now = 1011;
    expect(spool.head()?.id).toBe('id-2');
    expect(await spool.expire()).toBe(1);
    await spool.drained();
    const text = await segmentsText();
    expect(text).not.toContain('id-1');
    expect(text).toContain('id-2');
    now = 1600;
    const reopened = await DiskSpool.open(dir, { clock: () => now, maxAgeSec: 500 });
    expect(reopened.size).toBe(1);
    expect(reopened.head()?.id).toBe('id-2');
    expect(await segmentsText()).not.toContain('id-3');
  });

  it('drops the oldest item when full, and says so', async () => {
    const spool = await DiskSpool.open(dir, { maxItems: 3 });
    for (const n of [1, 2, 3, 4, 5]) await spool.append(item(n));
    await spool.drained();
    expect(spool.size).toBe(3);
    expect(spool.head()?.id).toBe('id-3');
    expect(spool.stats.overflowed).toBe(2);
    // what was dropped does not come back after a restart
    const reopened = await DiskSpool.open(dir, { maxItems: 3 });
    expect(reopened.size).toBe(3);
    expect(reopened.head()?.id).toBe('id-3');
  });
});
