/**
 * Found by a review of live's stop and start (round 20), fixed since: an earlier run's files are
 * listed only when regular and read with a bounded line, no readline (src/export/ndjson-rotating.ts
 * RotatingNdjsonExporter.open, latestExpiry); a spool's acks file that recovery wrote empty goes
 * at close while still empty (src/export/spool.ts DiskSpool.recover, close).
 * Input: in --out, a FIFO, a link to /dev/zero and a file with a 17 MiB line under the outputs'
 *   names, beside files an earlier run left; a spool opened on a new folder and closed.
 * Was: the device read without end (RangeError thrown from readline's data handler, a stack); a
 *   FIFO's open waiting for a writer; devices counted and deleted by maxFiles; the spool leaving
 *   an empty acks.ndjson (so a refused start kept its new --spool folder).
 * Correct: a device or FIFO left alone (neither read nor deleted) and said once as an error; a
 *   line too long to be one of ours keeps its file, as a line that is not JSON does; lines that
 *   span read chunks judged whole; a spool that never held an acknowledgement leaves no acks file.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';
import { DiskSpool } from '../../../src/export/spool.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-scan-edges-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const line = (expiresAt: number, pad = 0) => JSON.stringify({ kind: 'telemetry', expiresAt, pad: 'p'.repeat(pad) }) + '\n';

/** Waits (bounded, generously) until `gone` is no longer in the folder: the background scan has got past it. */
async function untilGone(folder: string, gone: string): Promise<void> {
  const until = Date.now() + 60_000;
  while ((await readdir(folder)).includes(gone)) {
    if (Date.now() > until) throw new Error(`${gone} still in ${folder}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('lines spanning read chunks are judged whole: an expired earlier file goes', async () => {
  const out = await mkdtemp(path.join(dir, 'span-'));
  await writeFile(path.join(out, 'exports.000001.ndjson'), line(500, 200_000) + line(600, 70_000) + line(700));
  const errors: string[] = [];
  const e = await RotatingNdjsonExporter.open({ dir: out, base: 'exports', clock: () => 1000, onError: (err) => errors.push(err.message) });
  await untilGone(out, 'exports.000001.ndjson');
  await e.close();
  expect(errors).toEqual([]);
});

it('a line longer than any of ours keeps its file (no error, no crash), with or without a newline', async () => {
  const out = await mkdtemp(path.join(dir, 'long-'));
  const long = 'x'.repeat(17 << 20);
  await writeFile(path.join(out, 'exports.000001.ndjson'), line(500) + long + '\n' + line(500));
  await writeFile(path.join(out, 'exports.000002.ndjson'), line(500) + long);
  // read after the two above: once it is gone, they have been judged
  await writeFile(path.join(out, 'exports.000003.ndjson'), line(500));
  const errors: string[] = [];
  const e = await RotatingNdjsonExporter.open({ dir: out, base: 'exports', clock: () => 1000, onError: (err) => errors.push(err.message) });
  await untilGone(out, 'exports.000003.ndjson');
  await e.close();
  expect({ errors, left: (await readdir(out)).sort() }).toEqual({ errors: [], left: ['exports.000001.ndjson', 'exports.000002.ndjson'] });
}, 60_000);

it.skipIf(process.platform !== 'linux' || !existsSync('/dev/zero'))('a FIFO and a link to a device under the outputs\' names: not read, not deleted (maxFiles 0), said once each', async () => {
  const out = await mkdtemp(path.join(dir, 'dev-'));
  await promisify(execFile)('mkfifo', [path.join(out, 'exports.000001.ndjson')]);
  await symlink('/dev/zero', path.join(out, 'exports.000002.ndjson'));
  await writeFile(path.join(out, 'exports.000003.ndjson'), line(5000));
  const errors: string[] = [];
  const e = await RotatingNdjsonExporter.open({ dir: out, base: 'exports', maxFiles: 0, clock: () => 1000, onError: (err) => errors.push(err.message) });
  // maxFiles 0: the one regular file goes (not expired), the others stay
  await untilGone(out, 'exports.000003.ndjson');
  await e.close();
  expect((await readdir(out)).filter((n) => n.endsWith('.ndjson')).sort()).toEqual(['exports.000001.ndjson', 'exports.000002.ndjson']);
  expect(errors).toEqual(
    ['exports.000001.ndjson', 'exports.000002.ndjson'].map((n) => `${path.join(out, n)}: not a regular file: left as it is (not read for its expiry, not deleted)`),
  );
}, 60_000);

it('a spool opened on a new folder and closed without an acknowledgement leaves no file; one with an acknowledgement keeps it', async () => {
  const empty = path.join(dir, 'spool-empty');
  await (await DiskSpool.open(empty, { clock: () => 1000, lock: true })).close();
  expect(await readdir(empty)).toEqual([]);

  const waiting = path.join(dir, 'spool-waiting');
  const s1 = await DiskSpool.open(waiting, { clock: () => 1000 });
  await s1.append({ id: 'A', expiresAt: 5000, body: '{}' });
  await s1.close();
  expect(await readdir(waiting)).toEqual(['segment-1.ndjson']);
  const s2 = await DiskSpool.open(waiting, { clock: () => 1000 });
  expect(s2.size).toBe(1);
  await s2.acknowledge('A');
  await s2.close();
  expect(await readFile(path.join(waiting, 'acks.ndjson'), 'utf8')).toContain('"A"');
  const s3 = await DiskSpool.open(waiting, { clock: () => 1000 });
  expect(s3.size).toBe(0);
  await s3.close();
});
