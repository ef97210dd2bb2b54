/**
 * Found by a review of the files the enforcer keeps on disk, fixed since: recovery applies the item limit, and an append evicts while over it (spool.ts).
 *
 * Input: a DiskSpool holding 10 waiting items (id-0…id-9, no expiry) is opened again with
 * maxItems 5 (a restart with a lower limit), then takes one more item, id-10.
 *
 * Was: recover() takes all 10 back (size 10) and append() pushes out only one item per append
 * (`if (this.pending.size > this.maxItems)`, not `while`): after id-10, size 10, overflowed 1 —
 * the spool stays twice over its limit for as long as it runs.
 *
 * Correct: DiskSpoolOptions.maxItems: "items held at most; the oldest goes first (counted) past
 * this"; README: "the oldest pushed out past 100 000 waiting … counts as an export failure of
 * kind overflow". After the restart at most 5 wait: id-6…id-10, with 6 counted as overflowed
 * (id-0…id-5).
 *
 * Fix: src/export/spool.ts: in recover(), after the items are read, settle the oldest past
 * maxItems (counted, onDiscard 'overflow'); and in append(), `while` instead of `if`.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool } from '../../../src/export/spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-spool-max-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a restart with a lower maxItems brings the spool within it, counting what it pushes out', async () => {
  const first = await DiskSpool.open(dir);
  for (let n = 0; n < 10; n++) await first.append({ id: `id-${n}`, expiresAt: null, body: `{"n":${n}}` });
  await first.drained();
  const overflowed: string[] = [];
  const spool = await DiskSpool.open(dir, { maxItems: 5, onDiscard: (id, why) => why === 'overflow' && overflowed.push(id) });
  await spool.append({ id: 'id-10', expiresAt: null, body: '{"n":10}' });
  await spool.drained();
  const waiting: string[] = [];
  for (let e = spool.firstWaiting(() => true); e; e = spool.firstWaiting((id) => !waiting.includes(id))) waiting.push(e.id);
  expect({ size: spool.size, waiting, overflowed, count: spool.stats.overflowed }).toEqual({
    size: 5,
    waiting: ['id-6', 'id-7', 'id-8', 'id-9', 'id-10'],
    overflowed: ['id-0', 'id-1', 'id-2', 'id-3', 'id-4', 'id-5'],
    count: 6,
  });
});
