/**
 * A suspicion of the review of the spool's failure handling (duplicate spool-error lines),
 * confirmed and fixed since: the exporter tells each spool failure once, however many settles
 * reject with it (src/export/http-exporter.ts tellEachOnce); it was one line per settle (3 here).
 * Input: an AiServiceExporter (concurrency 4, segmentBytes 1: one item a segment) whose service
 *   holds its answers until four requests came, then answers them all 200. Each segment's unlink
 *   takes 40 ms, so the acknowledgements that follow the first gather in one append of acks.ndjson
 *   (queued behind it); that append, of more than one id, fails (appendFile ENOSPC, writing nothing).
 * Correct: one failed write is one `spool-error` (README: an acknowledgement the spool cannot write
 *   is a spool-error), though every settle whose id went in that append rejects with it; the ids
 *   are written at the next sweep (a restart delivers none of them again).
 */
import { afterAll, expect, it, vi } from 'vitest';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAiService } from '../ai-service-stub.js';
import { telemetryLine } from '../lines.js';

const state = vi.hoisted(() => ({ failAcksOnce: false, acksFailures: 0, failedIds: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const appendFile = async (file: Parameters<typeof fs.appendFile>[0], data: string | Uint8Array, options?: Parameters<typeof fs.appendFile>[2]) => {
    const ids = String(data).split('\n').length - 1;
    if (state.failAcksOnce && String(file).endsWith('acks.ndjson') && ids > 1) {
      state.failAcksOnce = false;
      state.acksFailures++;
      state.failedIds = ids;
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return fs.appendFile(file, data, options);
  };
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    if (/segment-\d+\.ndjson$/.test(String(file))) await new Promise((r) => setTimeout(r, 40));
    return fs.unlink(file);
  };
  return { ...fs, appendFile, unlink, default: { ...fs, appendFile, unlink } };
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
    await new Promise((r) => setTimeout(r, 5));
  }
}

it('one acks append that fails for several acknowledgements is one spool-error', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-fix2-once-'));
  dirs.push(dir);
  const spoolDir = path.join(dir, 'spool');
  const held: ServerResponse[] = [];
  const service = await startAiService((_hit, n, res) => {
    held.push(res);
    if (n === 4) for (const r of held) r.writeHead(200).end('{}');
  });
  const spoolErrors: string[] = [];
  const exporter = await AiServiceExporter.open({
    url: service.url,
    spoolDir,
    concurrency: 4,
    spool: { segmentBytes: 1 },
    expirySweepMs: 50,
    onSpoolError: (err) => spoolErrors.push(err.message),
  });
  try {
    state.failAcksOnce = true;
    for (let i = 0; i < 4; i++) await exporter.send(telemetryLine(300 + i));
    await until(() => exporter.stats.delivered === 4);
    // a sweep (every 50 ms) writes the acks whole: what a restart would find is polled for, a copy
    // of the spool at a time (under load the sweep can be late by far more than a fixed wait)
    let restartFinds = -1;
    for (let k = 0, end = Date.now() + 15_000; ; k++) {
      const copy = path.join(dir, `copy-${k}`);
      await cp(spoolDir, copy, { recursive: true });
      restartFinds = (await DiskSpool.open(copy)).size;
      if (restartFinds === 0 || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state.acksFailures).toBe(1);
    expect(state.failedIds).toBeGreaterThan(1);
    expect(spoolErrors.filter((e) => e.includes('acks.ndjson: cannot write'))).toHaveLength(1);
    expect(restartFinds).toBe(0);
  } finally {
    await exporter.close();
    await service.close();
  }
});
