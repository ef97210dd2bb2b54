/**
 * Found by a review of the files the enforcer keeps on disk, fixed since: a closed file whose
 * deletion failed stays listed and is tried again (the timer after a second, every flush, close
 * and rotation), and the failure goes to onError instead of failing the write that met it
 * (src/export/ndjson-rotating.ts RotatingNdjsonExporter.delete / deleteExpired / deleteOverMaxFiles).
 * The review made the unlink fail with `chattr +i` (root on ext4 only); the failure is now made
 * on any file system by putting a directory where the file was for a moment (unlink: EISDIR).
 *
 * Input: a RotatingNdjsonExporter (fake clock 1000, maxBytes 1: every line its own file) takes
 * line A (expiresAt 1010) → exports.000001, then line B (expiresAt 2000) → file 1 closed, B in
 * exports.000002. At clock 1011 file 1 cannot be unlinked for a moment, and line C (expiresAt
 * 2000) is sent. Then the obstacle is lifted and the exporter is flushed and closed at 1012.
 *
 * Was: (1) deleteExpired() spliced file 1 out of `closedFiles` before unlink; the unlink
 * rejected, and the file was forgotten: after flush() and close() exports.000001.ndjson, whose
 * only line expired at 1010, was still on disk. (2) The failure came from closeCurrent() inside
 * write(), so send(C) rejected and line C was written nowhere.
 *
 * Correct: SPEC §4 "The enforcer itself keeps nothing past retention"; README Exporters: "a
 * closed file whose every line has expired is deleted". A failed deletion stays due and is
 * retried, and does not cost the line being written: file 1 deleted by the flush at 1012,
 * line C in exports.000003.ndjson.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-ndjson-del-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Until the returned function is called, unlink(path) fails (EISDIR): the file waits aside, a directory in its place. */
async function undeletable(path: string): Promise<() => Promise<void>> {
  await rename(path, path + '.aside');
  await mkdir(path);
  return async () => {
    await rmdir(path);
    await rename(path + '.aside', path);
  };
}

const line = (name: string, expiresAt: number): string => JSON.stringify({ type: 'telemetry', requestId: name, ts: 1000, expiresAt });

async function contents(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.ndjson')).sort())
    out[name] = (await readFile(join(dir, name), 'utf8')).split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { requestId: string }).requestId);
  return out;
}

it('a deletion that failed once is tried again, and does not cost the line being written', async () => {
  let now = 1000;
  const errors: string[] = [];
  const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxBytes: 1, clock: () => now, onError: (e) => errors.push(e.message) });
  await exporter.writeLine(line('A', 1010), 1010);
  await exporter.writeLine(line('B', 2000), 2000);
  now = 1011;
  const lift = await undeletable(join(dir, 'exports.000001.ndjson'));
  const sendC = await exporter.writeLine(line('C', 2000), 2000).then(
    () => 'written',
    (e: NodeJS.ErrnoException) => `rejected ${e.code}`,
  );
  await lift();
  now = 1012;
  await exporter.flush();
  await exporter.close();
  expect({ sendC, files: await contents() }).toEqual({
    sendC: 'written',
    files: { 'exports.000002.ndjson': ['B'], 'exports.000003.ndjson': ['C'] },
  });
  // the failure was told once (the write at 1011), not retried in a loop before the obstacle went
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/EISDIR|EPERM/);
});

it('a file past maxFiles whose deletion failed stays listed and goes at the next rotation', async () => {
  let now = 1000;
  const errors: string[] = [];
  const deleted: string[] = [];
  const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxBytes: 1, maxFiles: 1, clock: () => now, onError: (e) => errors.push(e.message), onDelete: (p, why) => deleted.push(`${p.slice(dir.length + 1)} ${why}`) });
  await exporter.writeLine(line('A', 5000), 5000);
  await exporter.writeLine(line('B', 5000), 5000); // file 1 closed: within maxFiles
  const lift = await undeletable(join(dir, 'exports.000001.ndjson'));
  await exporter.writeLine(line('C', 5000), 5000); // file 2 closed: file 1 over maxFiles, not deletable yet
  await lift();
  now = 1001; // a second on: a failed deletion is tried again (not before)
  await exporter.close(); // file 3 closed
  expect({ errors: errors.length, deleted, files: await contents() }).toEqual({
    errors: 1,
    deleted: ['exports.000001.ndjson max-files', 'exports.000002.ndjson max-files'],
    files: { 'exports.000003.ndjson': ['C'] },
  });
});
