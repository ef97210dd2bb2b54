/**
 * Found by a review of spool write failures, fixed since: an acknowledgement the spool cannot write is told as a spool error, not as a `retry` of an item that was delivered and is not tried again; its half line is cut off and the acks file is written whole by the next sweep, so a restart delivers nothing twice (src/export/http-exporter.ts run, src/export/spool.ts appendTo/expire/rewriteAcks).
 * An acknowledgement the spool cannot write (a full disk under acks.ndjson).
 * Input: an AiServiceExporter (concurrency 2, sweep every 30 ms) whose service answers 200 to
 *   items X and Z and 503 to item W (W stays spooled: its segment is not deleted, so the lines
 *   of X and Z stay in it as settled lines until their expiry, an hour away). X and W are sent;
 *   X's acknowledgement is appended to acks.ndjson by a write the disk takes only half of
 *   (node:fs/promises appendFile writes half and fails ENOSPC). Then Z is sent and delivered
 *   (the disk has room again). After a few sweeps the spool directory is copied, as a kill at
 *   that moment would leave it, and a DiskSpool is opened on the copy (the restart).
 * Correct: X was delivered once and is not tried again in this run: no `retry` of X; the spool
 *   file that could not be written is told to onSpoolError as the spool's other file errors are
 *   (`<dir>/acks.ndjson: cannot write: no space left on device (ENOSPC)`); the half line is cut
 *   off, and the acks file is written whole at the next sweep, so a restart delivers only W
 *   (neither X nor Z twice), with no unreadable line. (Were the process killed before a sweep
 *   could write it, X would be delivered once more after the restart — a duplicate the service
 *   knows by its requestId, never a loss.)
 */
import { afterAll, expect, it, vi } from 'vitest';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAiService } from '../ai-service-stub.js';
import { telemetryLine } from '../lines.js';

const state = vi.hoisted(() => ({ cutAcks: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const appendFile = async (file: Parameters<typeof fs.appendFile>[0], data: string | Uint8Array, options?: Parameters<typeof fs.appendFile>[2]) => {
    if (state.cutAcks && String(file).endsWith('acks.ndjson')) {
      state.cutAcks = false;
      const text = String(data);
      await fs.appendFile(file, text.slice(0, Math.floor(text.length / 2)));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return fs.appendFile(file, data, options);
  };
  return { ...fs, appendFile, default: { ...fs, appendFile } };
});
const { AiServiceExporter } = await import('../../../src/export/http-exporter.js');
const { DiskSpool } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function until(what: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('an acknowledgement that cannot be written: a spool error, not a retry; written at the next sweep; nothing delivered twice at the restart', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-fix-ack-'));
  dirs.push(dir);
  const spoolDir = path.join(dir, 'spool');
  const [x, w, z] = [telemetryLine(1), telemetryLine(2), telemetryLine(3)];
  const service = await startAiService((hit, _n, res) => res.writeHead(hit.body.requestId === w.requestId ? 503 : 200).end('{}'));
  const failures: string[] = [];
  const spoolErrors: string[] = [];
  const exporter = await AiServiceExporter.open({
    url: service.url,
    spoolDir,
    concurrency: 2,
    expirySweepMs: 30,
    backoff: { baseMs: 20, maxMs: 40 },
    onFailure: (reason, id, kind) => failures.push(`${kind} ${id} ${reason}`),
    onSpoolError: (err) => spoolErrors.push(err.message),
  });
  try {
    state.cutAcks = true;
    await exporter.send(x);
    await exporter.send(w);
    await until(() => exporter.stats.delivered === 1 && exporter.stats.retries > 0);
    await exporter.send(z);
    await until(() => exporter.stats.delivered === 2);
    // a few sweeps: one writes the acks (polled, a copy of the spool at a time, as a restart would
    // read it: under load the sweeps can be late by far more than a fixed wait)
    let again: Awaited<ReturnType<typeof DiskSpool.open>>;
    let ids: string[];
    for (let k = 0, end = Date.now() + 15_000; ; k++) {
      const copy = path.join(dir, `copy-${k}`);
      await cp(spoolDir, copy, { recursive: true });
      again = await DiskSpool.open(copy);
      ids = [];
      for (let e = again.head(); e !== undefined; e = again.firstWaiting((id) => !ids.includes(id))) ids.push(e.id);
      if (JSON.stringify(ids) === JSON.stringify([w.requestId]) || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(service.hits.filter((h) => h.body.requestId === x.requestId)).toHaveLength(1);
    expect(failures.filter((f) => f.includes(x.requestId))).toEqual([]);
    expect(spoolErrors).toEqual([`${path.join(spoolDir, 'acks.ndjson')}: cannot write: no space left on device (ENOSPC)`]);

    expect(ids).toEqual([w.requestId]);
    expect(again.stats.unreadableLines).toBe(0);
  } finally {
    await exporter.close();
    await service.close();
  }
});
