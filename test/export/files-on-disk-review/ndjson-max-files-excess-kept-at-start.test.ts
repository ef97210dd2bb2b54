/**
 * Found by a review of the files the enforcer keeps on disk, fixed since: an earlier run's files are counted by maxFiles once read, not from the first rotation (trimAdopted).
 *
 * Input: `<dir>` holds an earlier run's exports.000001/2/3.ndjson, each one report-like line
 * without expiresAt (never expiring). RotatingNdjsonExporter.open({dir, base: 'exports',
 * maxFiles: 1}); the earlier files are read (100 ms), then flush(). No line is written (a
 * quiet feed; or a restart with a lower --max-files).
 *
 * Was: all three stay: [exports.000001.ndjson, exports.000002.ndjson, exports.000003.ndjson];
 * the maxFiles limit is applied only in closeCurrent(), i.e. at this run's first rotation
 * (64 MiB of lines later by default), never on a quiet feed.
 *
 * Correct: README Exporters: "--max-files keeps the newest"; "The files an earlier run left in
 * --out are taken over at start: … counted by --max-files, oldest first." With maxFiles 1 only
 * exports.000003.ndjson stays (the two oldest deleted, reason max-files).
 *
 * Fix: src/export/ndjson-rotating.ts: apply the maxFiles trim (the loop now in closeCurrent())
 * also in open() after the earlier files are listed (or in learnExpiry() once they are read,
 * so that an expired file goes as expired first), and in flush()/tick().
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-maxfiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("an earlier run's files beyond maxFiles are deleted without waiting for this run's first rotation", async () => {
  for (const n of [1, 2, 3]) await writeFile(join(dir, `exports.00000${n}.ndjson`), `{"type":"scope-removed","ts":${1700000000 + n}}\n`);
  const deleted: string[] = [];
  const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxFiles: 1, onDelete: (p, why) => deleted.push(`${basename(p)} ${why}`) });
  await new Promise((r) => setTimeout(r, 100));
  await exporter.flush();
  const files = (await readdir(dir)).filter((n) => n.endsWith('.ndjson')).sort();
  await exporter.close();
  expect({ files, deleted }).toEqual({ files: ['exports.000003.ndjson'], deleted: ['exports.000001.ndjson max-files', 'exports.000002.ndjson max-files'] });
});
