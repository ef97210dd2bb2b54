/**
 * Found by a review of the AI-service spool, fixed since: a sweep's every failure reaches the
 * spool-error listener (src/export/spool.ts DiskSpool.expire/compact throw an AggregateError of
 * them all when more than one), and the exporter tells each distinct failure — its message: the file,
 * what was being done, the system's reason — when it first happens, then again at most once a minute
 * while it persists, by the spool's clock (src/export/http-exporter.ts tellSpoolFailure).
 * Input: an AiServiceExporter (expirySweepMs 50, spool segmentBytes 1: one item a segment, the spool's
 *   clock a fake one) whose service refuses connections; L1 (expiring at +10 s) in segment-1 and L2
 *   (+20 s) in segment-2, whose unlinks fail for good (EPERM and EACCES). The clock is moved to +11 s
 *   (L1 expires, segment-1 cannot go), then +21 s (L2 too), then +82 s, with ~10 sweeps at each.
 * Was: expire() threw its first failure only, and each sweep told it again: at +11 s segment-1 at
 *   every sweep (a line per sweep, once a second in live); from +21 s segment-2 at every sweep and
 *   segment-1 never again (the second failure hid the first).
 * Correct: each segment's failure told once when it begins, once more a minute on (+82 s), no more.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { telemetryLine } from '../lines.js';

const state = vi.hoisted(() => ({ fail: new Map<string, string>() }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    const code = state.fail.get(String(file));
    if (code !== undefined) throw Object.assign(new Error(`${code}: refused, unlink '${String(file)}'`), { code, errno: code === 'EPERM' ? -1 : -13, syscall: 'unlink' });
    return fs.unlink(file);
  };
  return { ...fs, unlink, default: { ...fs, unlink } };
});
const { AiServiceExporter } = await import('../../../src/export/http-exporter.js');
const { DiskSpool } = await import('../../../src/export/spool.js');

const dirs: string[] = [];
afterAll(async () => {
  state.fail.clear();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const sweeps = () => new Promise((r) => setTimeout(r, 500));

it('two segments that cannot be deleted: each told when it begins and again a minute on, neither hiding the other nor told at every sweep', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'spool-lock-review-told-'));
  dirs.push(base);
  const spoolDir = path.join(base, 'spool');
  const start = Math.floor(Date.now() / 1000);
  let now = start;
  const spoolErrors: string[] = [];
  const exporter = await AiServiceExporter.open({
    url: `http://127.0.0.1:${await closedPort()}/ingest`,
    spoolDir,
    expirySweepMs: 50,
    spool: { segmentBytes: 1, clock: () => now },
    backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 0 },
    onSpoolError: (err) => spoolErrors.push(err.message),
  });
  const seg1 = path.join(spoolDir, 'segment-1.ndjson');
  const seg2 = path.join(spoolDir, 'segment-2.ndjson');
  const told = () => ({ seg1: spoolErrors.filter((m) => m.startsWith(`${seg1}: cannot delete`)).length, seg2: spoolErrors.filter((m) => m.startsWith(`${seg2}: cannot delete`)).length, all: spoolErrors.length });
  try {
    state.fail.set(seg1, 'EPERM');
    state.fail.set(seg2, 'EACCES');
    await exporter.send(telemetryLine(1, { ts: start, retentionSec: 10 }));
    await exporter.send(telemetryLine(2, { ts: start, retentionSec: 20 }));
    await exporter.flush();

    now = start + 11;
    await sweeps();
    expect(exporter.stats.spool.expired).toBe(1);
    expect(told(), spoolErrors.join('\n')).toEqual({ seg1: 1, seg2: 0, all: 1 });

    now = start + 21;
    await sweeps();
    expect(exporter.stats.spool.expired).toBe(2);
    expect(told(), spoolErrors.join('\n')).toEqual({ seg1: 1, seg2: 1, all: 2 });

    now = start + 82;
    await sweeps();
    expect(told(), spoolErrors.join('\n')).toEqual({ seg1: 2, seg2: 2, all: 4 });
  } finally {
    await exporter.close();
    state.fail.clear();
  }
});

it('expire() with two failures rejects with both, in one line', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spool-lock-review-both-'));
  dirs.push(dir);
  let now = 1000;
  const spool = await DiskSpool.open(dir, { segmentBytes: 1, clock: () => now });
  await spool.append({ id: 'A', expiresAt: 1010, body: '{}' });
  await spool.append({ id: 'B', expiresAt: 1010, body: '{}' });
  state.fail.set(path.join(dir, 'segment-1.ndjson'), 'EPERM');
  state.fail.set(path.join(dir, 'segment-2.ndjson'), 'EACCES');
  now = 1011;
  const err = await spool.expire().then(
    () => undefined,
    (e: unknown) => e,
  );
  state.fail.clear();
  expect(err).toBeInstanceOf(AggregateError);
  const errors = (err as AggregateError).errors.map((e: Error) => e.message).sort();
  expect(errors).toEqual([
    `${path.join(dir, 'segment-1.ndjson')}: cannot delete: operation not permitted (EPERM)`,
    `${path.join(dir, 'segment-2.ndjson')}: cannot delete: permission denied (EACCES)`,
  ].sort());
  expect((err as Error).message.split('\n')).toHaveLength(1);
  for (const e of errors) expect((err as Error).message).toContain(e);
});
