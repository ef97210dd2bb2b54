/**
 * Found by a review of the spool's failure handling, fixed since: an append rejects only with its
 * own line's failure; the push-out of the oldest item is waited for, its failure told to the
 * spool's onSpoolError (the exporter's spool-error) and retried at the next sweep
 * (src/export/spool.ts DiskSpool.append, src/export/http-exporter.ts AiServiceExporter.open).
 * Input: an AiServiceExporter (spool maxItems 1, segmentBytes 1: one item a segment) whose service
 *   answers 503 (nothing leaves the spool delivered). Line L1 is sent and spooled in segment-1;
 *   then line L2 is sent: its line is appended to segment-2 (the write succeeds), and L1, the
 *   oldest past maxItems, is pushed out (overflow) — which empties segment-1, whose deletion
 *   fails (node:fs/promises unlink of segment-1 EPERM once); in the second case, the pushed-out
 *   id's line to acks.ndjson fails instead (appendFile ENOSPC once, writing nothing).
 * Correct: README (AI service): only "a line the spool cannot take" stops the service; "a spool
 *   file that cannot be deleted is tried again at the next sweep", and an id the spool cannot write
 *   to the acks is a `spool-error` written at the next sweep. So send(L2) resolves (L2 is spooled),
 *   the failure goes to onSpoolError, and segment-1 is gone after the next sweep.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAiService } from '../ai-service-stub.js';
import { telemetryLine } from '../lines.js';

const state = vi.hoisted(() => ({ failUnlink: '', failAcksOnce: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    if (state.failUnlink !== '' && String(file) === state.failUnlink) {
      state.failUnlink = '';
      throw Object.assign(new Error(`EPERM: operation not permitted, unlink '${String(file)}'`), { code: 'EPERM', errno: -1, syscall: 'unlink' });
    }
    return fs.unlink(file);
  };
  const appendFile = async (file: Parameters<typeof fs.appendFile>[0], data: string | Uint8Array, options?: Parameters<typeof fs.appendFile>[2]) => {
    if (state.failAcksOnce && String(file).endsWith('acks.ndjson')) {
      state.failAcksOnce = false;
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return fs.appendFile(file, data, options);
  };
  return { ...fs, unlink, appendFile, default: { ...fs, unlink, appendFile } };
});
const { AiServiceExporter } = await import('../../../src/export/http-exporter.js');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function exporterWithOneItemSpool() {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-fix2-overflow-'));
  dirs.push(dir);
  const spoolDir = path.join(dir, 'spool');
  const service = await startAiService((_hit, _n, res) => res.writeHead(503).end());
  const spoolErrors: string[] = [];
  const exporter = await AiServiceExporter.open({
    url: service.url,
    spoolDir,
    spool: { maxItems: 1, segmentBytes: 1 },
    expirySweepMs: 30,
    backoff: { baseMs: 5000, maxMs: 5000 },
    onSpoolError: (err) => spoolErrors.push(err.message),
  });
  return { spoolDir, service, exporter, spoolErrors };
}

it('a pushed-out item whose segment cannot be deleted does not fail the send of the line that was spooled', async () => {
  const { spoolDir, service, exporter, spoolErrors } = await exporterWithOneItemSpool();
  try {
    const [l1, l2] = [telemetryLine(1), telemetryLine(2)];
    await exporter.send(l1);
    state.failUnlink = path.join(spoolDir, 'segment-1.ndjson');
    const sent = exporter.send(l2).then(
      () => 'spooled',
      (err: Error) => `rejected: ${err.message}`,
    );
    expect(await sent).toBe('spooled');
    expect(await readFile(path.join(spoolDir, 'segment-2.ndjson'), 'utf8')).toContain(l2.requestId);
    expect(spoolErrors.some((e) => e.includes('segment-1.ndjson: cannot delete'))).toBe(true);
    // the sweep (every 30 ms) deletes it again: polled, as under load it can be late
    for (const end = Date.now() + 15_000; (await readdir(spoolDir)).includes('segment-1.ndjson') && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(await readdir(spoolDir)).not.toContain('segment-1.ndjson');
  } finally {
    await exporter.close();
    await service.close();
  }
});

it('a pushed-out item whose id cannot be written to the acks does not fail the send of the line that was spooled', async () => {
  const { spoolDir, service, exporter, spoolErrors } = await exporterWithOneItemSpool();
  try {
    const [l1, l2] = [telemetryLine(11), telemetryLine(12)];
    await exporter.send(l1);
    state.failAcksOnce = true;
    const sent = exporter.send(l2).then(
      () => 'spooled',
      (err: Error) => `rejected: ${err.message}`,
    );
    expect(await sent).toBe('spooled');
    expect(spoolErrors.some((e) => e.includes('acks.ndjson: cannot write'))).toBe(true);
  } finally {
    await exporter.close();
    await service.close();
  }
});
