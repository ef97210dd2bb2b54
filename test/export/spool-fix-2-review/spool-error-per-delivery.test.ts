/**
 * Found by a review of the spool's failure handling, fixed since: the delivery loop's idle sweep
 * (and the one after an item expired in flight) runs only when the last sweep is an expirySweepMs
 * old, otherwise it only tells waiters for an empty spool (src/export/http-exporter.ts
 * AiServiceExporter.sweepIfDue).
 * Input: an AiServiceExporter with the default sweep (expirySweepMs 1000), a service answering
 *   200, spool segmentBytes 1 (one item a segment). Item L0 is delivered; its segment-1 is then
 *   deleted and that unlink fails for good (node:fs/promises unlink of segment-1 always EPERM:
 *   a file that stays undeletable). Then 30 more lines are sent, one every 10 ms (live traffic),
 *   each delivered at once; the whole runs about 0.4 s.
 * Correct: README: the spool's disk work goes "at its sweep, once a second" and a spool file that
 *   cannot be deleted "is tried again at the next sweep"; a file that cannot be deleted is said
 *   "one attempt and one line a second at most" (the outputs' rule, README outputs). In 0.4 s: the
 *   failure of the acknowledgement itself and one more attempt per sweep interval begun.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAiService } from '../ai-service-stub.js';
import { telemetryLine } from '../lines.js';

const state = vi.hoisted(() => ({ failUnlink: '', unlinkAttempts: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    if (state.failUnlink !== '' && String(file) === state.failUnlink) {
      state.unlinkAttempts++;
      throw Object.assign(new Error(`EPERM: operation not permitted, unlink '${String(file)}'`), { code: 'EPERM', errno: -1, syscall: 'unlink' });
    }
    return fs.unlink(file);
  };
  return { ...fs, unlink, default: { ...fs, unlink } };
});
const { AiServiceExporter } = await import('../../../src/export/http-exporter.js');

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

it('a spool file that cannot be deleted is retried and said at most once a sweep interval, not once per delivery', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-fix2-lograte-'));
  dirs.push(dir);
  const spoolDir = path.join(dir, 'spool');
  const service = await startAiService((_hit, _n, res) => res.writeHead(200).end('{}'));
  const spoolErrors: string[] = [];
  const exporter = await AiServiceExporter.open({
    url: service.url,
    spoolDir,
    spool: { segmentBytes: 1 },
    onSpoolError: (err) => spoolErrors.push(err.message),
  });
  try {
    state.failUnlink = path.join(spoolDir, 'segment-1.ndjson');
    const started = performance.now();
    await exporter.send(telemetryLine(100));
    await until(() => exporter.stats.delivered === 1);
    for (let i = 1; i <= 30; i++) {
      await exporter.send(telemetryLine(100 + i));
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => exporter.stats.delivered === 31);
    // the acknowledgement's own failure, and one retry per sweep interval begun (at most)
    const allowed = 2 + Math.ceil((performance.now() - started) / 1000);
    expect({ spoolErrors: spoolErrors.length, unlinkAttempts: state.unlinkAttempts }).toEqual({
      spoolErrors: expect.toSatisfy((n: number) => n <= allowed) as number,
      unlinkAttempts: expect.toSatisfy((n: number) => n <= allowed) as number,
    });
  } finally {
    state.failUnlink = '';
    await exporter.close();
    await service.close();
  }
});
