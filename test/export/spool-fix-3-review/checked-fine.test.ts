/**
 * Checks of commit 423e63d (spool failure handling) that came out fine.
 *
 * Checked: a second, distinct sweep failure that starts while another persists is still told.
 * Input: an AiServiceExporter (expirySweepMs 100, spool maxItems 1, segmentBytes 1) whose service
 *   refuses connections. L1 (segment-1) then L2 (segment-2, expiring 700 ms later): L1 is pushed
 *   out, its acks append fails (ENOSPC once); the next sweep's acks rewrite fails (writeFile of
 *   acks.ndjson.tmp ENOSPC once) and the .tmp's unlink fails for good (EPERM); segment-2's unlink
 *   fails for good (EACCES). Observed: every failure told, segment-2's at each sweep after L2's
 *   expiry (the stray .tmp is replaced by the next successful acks rewrite's rename). A variant with
 *   two undeletable segments showed the most recently failed segment first each sweep (re-inserted
 *   at the end of the Map), so only the older, already told one's retries go unsaid: expire()
 *   throwing failures[0] did not hide a first-time failure in the orders tried.
 * Not run as a test (time): the idle/timer sweep interplay — by reading: any non-timer sweep needs
 *   a full sweepMs since the last, the timer sweeps past sweepMs/2, so sweeps start at most
 *   ~1.5 sweepMs apart and in practice sweepMs + event-loop lateness; never none.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { telemetryLine } from '../lines.js';

const state = vi.hoisted(() => ({ fail: new Map<string, string>(), acksAppendOnce: false, acksTmpWriteOnce: false }));
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const unlink = async (file: Parameters<typeof fs.unlink>[0]) => {
    const code = state.fail.get(String(file));
    if (code !== undefined) throw Object.assign(new Error(`${code}: refused, unlink '${String(file)}'`), { code, errno: -1, syscall: 'unlink' });
    return fs.unlink(file);
  };
  const appendFile = async (file: Parameters<typeof fs.appendFile>[0], data: string | Uint8Array, options?: Parameters<typeof fs.appendFile>[2]) => {
    if (state.acksAppendOnce && String(file).endsWith('acks.ndjson')) {
      state.acksAppendOnce = false;
      throw enospc();
    }
    return fs.appendFile(file, data, options);
  };
  const writeFile = async (file: Parameters<typeof fs.writeFile>[0], data: string, options?: Parameters<typeof fs.writeFile>[2]) => {
    if (state.acksTmpWriteOnce && String(file).endsWith('acks.ndjson.tmp')) {
      state.acksTmpWriteOnce = false;
      await fs.writeFile(file, data.slice(0, 10));
      throw enospc();
    }
    return fs.writeFile(file, data, options);
  };
  const mocked = { unlink, appendFile, writeFile };
  return { ...fs, ...mocked, default: { ...fs, ...mocked } };
});
const { AiServiceExporter } = await import('../../../src/export/http-exporter.js');

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

it('checked fine: a new sweep failure (an expired item\'s segment not deleted) is told while a stray .tmp fails too', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'spool-fix3-second-'));
  dirs.push(base);
  const spoolDir = path.join(base, 'spool');
  const spoolErrors: string[] = [];
  const exporter = await AiServiceExporter.open({
    url: `http://127.0.0.1:${await closedPort()}/ingest`,
    spoolDir,
    expirySweepMs: 100,
    spool: { maxItems: 1, segmentBytes: 1 },
    backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 0 },
    onSpoolError: (err) => spoolErrors.push(err.message),
  });
  try {
    state.fail.set(path.join(spoolDir, 'acks.ndjson.tmp'), 'EPERM');
    state.fail.set(path.join(spoolDir, 'segment-2.ndjson'), 'EACCES');
    state.acksAppendOnce = true;
    state.acksTmpWriteOnce = true;
    await exporter.send(telemetryLine(1));
    await exporter.send(telemetryLine(2, { retentionSec: 0.7 }));
    await exporter.flush();
    await new Promise((r) => setTimeout(r, 1300));
    expect(exporter.stats.spool.expired).toBe(1);
    expect(exporter.stats.spool.overflowed).toBe(1);
    expect(spoolErrors.some((m) => m.includes('acks.ndjson.tmp: cannot delete'))).toBe(true);
    // the expired item's segment that cannot go: told at least once
    expect(spoolErrors.filter((m) => m.includes('segment-2.ndjson')), spoolErrors.join('\n')).not.toEqual([]);
  } finally {
    state.fail.clear();
    await exporter.close();
  }
});
