/**
 * Found by a review of the files the enforcer keeps on disk, fixed since: every acknowledged id skips its line at recovery, its memory past or not (spool.ts recover).
 *
 * Input: a DiskSpool (clock 1000) takes item id-1 (expiresAt 1010) and id-2 (expiresAt 5000);
 * id-1 is acknowledged (delivered). The process then dies without close()/compact() (SIGKILL):
 * id-1's line is still in its segment (a settled line is cut at its expiry or at close), and
 * acks.ndjson holds {"id":"id-1","until":1010}. The spool is opened again at clock 1011.
 *
 * Was: recover() drops ack entries whose `until` has passed before reading the segments, so
 * id-1's line is no longer known as acknowledged and is taken for an undelivered item that
 * expired: stats.expired === 1 and onDiscard('id-1', 'expired') is called — which the
 * AiServiceExporter turns into an export failure of kind `expired` (metric
 * aipref_export_failures_total{kind="expired"} and an `export-failure` log line) for an item the
 * service acknowledged.
 *
 * Correct: an acknowledged item is never counted as "left the spool undelivered" (README
 * Exporters: "An item that leaves the spool undelivered — expired, … — counts as an export
 * failure of kind expired"); id-1 was delivered. stats.expired 0, no onDiscard call. Its line
 * is simply dropped (it is past its expiry: SPEC §4).
 *
 * Fix: src/export/spool.ts, DiskSpool.recover(): read every ack id into a set used to skip
 * segment lines, including entries whose `until` passed (only keep the unexpired ones in
 * `this.acked` afterwards). The same holds for refused/overflowed items (settled too).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool } from '../../../src/export/spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-spool-acked-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('an item acknowledged before a crash is not counted as expired undelivered by the next start', async () => {
  let now = 1000;
  const spool = await DiskSpool.open(dir, { clock: () => now });
  await spool.append({ id: 'id-1', expiresAt: 1010, body: '{"n":1}' });
  await spool.append({ id: 'id-2', expiresAt: 5000, body: '{"n":2}' });
  await spool.acknowledge('id-1');
  await spool.drained();
  // the state a SIGKILL leaves: the acknowledged line is still on disk, its ack in acks.ndjson
  const segs = (await readdir(dir)).filter((n) => n.startsWith('segment-'));
  const onDisk = (await Promise.all(segs.map((n) => readFile(join(dir, n), 'utf8')))).join('');
  expect(onDisk).toContain('"id":"id-1"');
  expect(await readFile(join(dir, 'acks.ndjson'), 'utf8')).toBe('{"id":"id-1","until":1010}\n');

  now = 1011;
  const discarded: string[] = [];
  const again = await DiskSpool.open(dir, { clock: () => now, onDiscard: (id, why) => discarded.push(`${id} ${why}`) });
  expect(again.size).toBe(1);
  expect(again.head()?.id).toBe('id-2');
  expect(discarded).toEqual([]);
  expect(again.stats.expired).toBe(0);
});
