/**
 * Found by a review of the AI-service spool, fixed since: the spool takes `<dir>/spool.lock` at open,
 * before it reads or changes anything in the folder, as the NDJSON files take `<base>.lock` (one shared
 * takeLock: src/export/dir-lock.ts; src/export/spool.ts DiskSpool.open/close, lock option;
 * src/export/http-exporter.ts AiServiceExporter.open/close).
 * Input: two AiServiceExporters given the same spoolDir, in one process and in two (a child process
 *   holding it); the first has an item spooled in segment-1.ndjson.
 * Was: the second opened too: its start-up recovery took the first's waiting item, wrote it to a fresh
 *   segment and deleted segment-1 under the first, and both then appended to the same segments and
 *   acks — items delivered twice or lost.
 * Correct: the second is refused with one line naming the spool folder, the pid holding it and the
 *   lock file (`give each service its own --spool`), the folder untouched; the lock goes at close
 *   (and when the start fails after it was taken), and a lock whose owner was killed is taken over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { DiskSpool } from '../../../src/export/spool.js';
import { ensureBuilt } from '../../live/live-helpers.js';
import { telemetryLine } from '../lines.js';
import { tempDirEachTest } from '../temp-dir.js';

const temp = tempDirEachTest('aipref-spool-lock-');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
beforeAll(ensureBuilt, 120_000);

/** A service nobody answers: nothing leaves the spool, one attempt then a long backoff. */
const exporterOn = (spoolDir: string) =>
  AiServiceExporter.open({ url: 'http://127.0.0.1:9/ingest', spoolDir, backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 0 } });

const refusal = (spoolDir: string, pid: number) =>
  `${spoolDir}: the spool is being used by another exporter (pid ${pid}, ${path.join(spoolDir, 'spool.lock')}): give each service its own --spool (delete the lock if no such service runs)`;

it('a second exporter on the same spool in one process is refused, naming the folder and the pid, the folder untouched; close releases it', async () => {
  const spoolDir = path.join(temp.dir, 'spool');
  const first = await exporterOn(spoolDir);
  let firstClosed = false;
  temp.cleanups.push(async () => void (firstClosed || (await first.close())));
  await first.send(telemetryLine(1));
  await first.flush();
  const before = await readFile(path.join(spoolDir, 'segment-1.ndjson'), 'utf8');

  const second = exporterOn(spoolDir);
  await expect(second).rejects.toThrow(refusal(spoolDir, process.pid));
  const message = await second.then(
    () => '',
    (err: Error) => err.message,
  );
  expect(message.split('\n')).toHaveLength(1);
  // the refused one read nothing and changed nothing: the first's item is where it was
  expect(await readFile(path.join(spoolDir, 'segment-1.ndjson'), 'utf8')).toBe(before);
  expect((await readdir(spoolDir)).filter((n) => n.startsWith('segment-'))).toEqual(['segment-1.ndjson']);

  await first.close();
  firstClosed = true;
  expect(existsSync(path.join(spoolDir, 'spool.lock'))).toBe(false);
  const third = await exporterOn(spoolDir);
  temp.cleanups.push(() => third.close());
  expect(third.pending).toBe(1);
});

it('two DiskSpools opened with lock on one folder: the second is refused until the first is closed', async () => {
  const dir = path.join(temp.dir, 'spool');
  const a = await DiskSpool.open(dir, { lock: true });
  await expect(DiskSpool.open(dir, { lock: true })).rejects.toThrow(refusal(dir, process.pid));
  await a.close();
  const b = await DiskSpool.open(dir, { lock: true });
  await b.close();
  expect(existsSync(path.join(dir, 'spool.lock'))).toBe(false);
});

it('close() called twice: the second resolves only once the lock is released', async () => {
  const spoolDir = path.join(temp.dir, 'spool');
  const ex = await exporterOn(spoolDir);
  void ex.close();
  await ex.close();
  expect(existsSync(path.join(spoolDir, 'spool.lock'))).toBe(false);
});

it('a start that fails once the lock is taken (a segment that cannot be read) leaves no lock behind', async () => {
  const spoolDir = path.join(temp.dir, 'spool');
  await mkdir(path.join(spoolDir, 'segment-1.ndjson'), { recursive: true });
  await expect(exporterOn(spoolDir)).rejects.toThrow(`${path.join(spoolDir, 'segment-1.ndjson')}: cannot read`);
  expect(existsSync(path.join(spoolDir, 'spool.lock'))).toBe(false);
});

it('a spool held by another process is refused naming that pid; once that process is killed (SIGKILL) its lock is taken over', async () => {
  const spoolDir = path.join(temp.dir, 'spool');
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'spool-lock-child.mjs'), spoolDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const said = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  expect(said).toBe('ok');
  await expect(exporterOn(spoolDir)).rejects.toThrow(refusal(spoolDir, child.pid!));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(existsSync(path.join(spoolDir, 'spool.lock'))).toBe(true);
  const ex = await exporterOn(spoolDir);
  await ex.close();
  expect(existsSync(path.join(spoolDir, 'spool.lock'))).toBe(false);
}, 30_000);

it('a lock left empty (a taker cut short between create and write) is taken over', async () => {
  const spoolDir = path.join(temp.dir, 'spool');
  await mkdir(spoolDir);
  await writeFile(path.join(spoolDir, 'spool.lock'), '');
  await (await exporterOn(spoolDir)).close();
});
