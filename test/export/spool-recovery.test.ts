/**
 * What a kill in the middle of a rewrite leaves (the rename never happened: the `.tmp` is there,
 * cut anywhere, beside the file it was to replace), and what the next run makes of it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool } from '../../src/export/spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aipref-spool-recovery-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOW = 1000;
const line = (id: string, expiresAt = 5000): string => JSON.stringify({ id, expiresAt, spooledAt: 900, body: JSON.stringify({ payload: `body-of-${id}` }) }) + '\n';
const open = (): Promise<DiskSpool> => DiskSpool.open(dir, { clock: () => NOW });

async function waitingIds(spool: DiskSpool): Promise<string[]> {
  const ids: string[] = [];
  for (let e = spool.firstWaiting(() => true); e !== undefined; e = spool.firstWaiting((id) => !ids.includes(id))) ids.push(e.id);
  await spool.drained();
  return ids;
}

describe('disk spool: a rewrite cut by a kill', () => {
  it("a segment's rewrite: the segment as it was is the truth, the .tmp goes (nothing waiting lost, nothing acknowledged back)", async () => {
    await writeFile(join(dir, 'segment-1.ndjson'), line('a') + line('acked') + line('b'));
    await writeFile(join(dir, 'acks.ndjson'), JSON.stringify({ id: 'acked', until: 5000 }) + '\n');
    // the rewrite without 'acked', cut before its end (and before its rename)
    await writeFile(join(dir, 'segment-1.ndjson.tmp'), line('a') + '{"id":"b","expi');
    const spool = await open();
    expect(await waitingIds(spool)).toEqual(['a', 'b']);
    expect(spool.knows('acked')).toBe(true);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // the cut line in the .tmp is not the segment's: nothing was unreadable in the truth
    expect(spool.stats.unreadableLines).toBe(0);
  });

  it("recovery's own fresh segment: the segments it was made from are the truth, the .tmp goes", async () => {
    await writeFile(join(dir, 'segment-1.ndjson'), line('a') + line('b'));
    await writeFile(join(dir, 'segment-2.ndjson'), line('c'));
    await writeFile(join(dir, 'segment-3.ndjson.tmp'), line('a') + line('b').slice(0, 10));
    const spool = await open();
    expect(await waitingIds(spool)).toEqual(['a', 'b', 'c']);
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names.filter((n) => n.startsWith('segment-'))).toHaveLength(1);
  });

  it('the acks rewrite: the acks file as it was is the truth (an acknowledged item stays acknowledged), the .tmp goes', async () => {
    await writeFile(join(dir, 'segment-1.ndjson'), line('acked') + line('waiting'));
    await writeFile(join(dir, 'acks.ndjson'), JSON.stringify({ id: 'acked', until: 5000 }) + '\n');
    await writeFile(join(dir, 'acks.ndjson.tmp'), '');
    const spool = await open();
    expect(spool.knows('acked')).toBe(true);
    expect(await waitingIds(spool)).toEqual(['waiting']);
    expect(await readdir(dir)).not.toContain('acks.ndjson.tmp');
    expect(await readFile(join(dir, 'acks.ndjson'), 'utf8')).toContain('"acked"');
  });

  it('a file that only looks like a leftover is not touched', async () => {
    await writeFile(join(dir, 'notes.tmp'), 'mine');
    await open();
    expect(await readdir(dir)).toContain('notes.tmp');
  });
});
