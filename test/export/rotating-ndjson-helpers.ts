/**
 * The rotating NDJSON exporter in a temporary folder, on a clock moved by hand (or the real one),
 * with what it told; and what its files hold. Shared by test/export/ndjson-rewrite.test.ts and the
 * round-28 reviews of the rewrite.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter, type RotatingNdjsonOptions } from '../../src/export/ndjson-rotating.js';
import { telemetryLine } from './lines.js';

export const T0 = 1_900_000_000;

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ndjson-rotating-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function openIn(dir: string, start: number | null, extra: Partial<RotatingNdjsonOptions> = {}) {
  const at = { now: start ?? 0 };
  const told = { rewrites: [] as [string, number][], deletes: [] as [string, string][], errors: [] as string[] };
  const exporter = await RotatingNdjsonExporter.open({
    dir,
    base: 'exports',
    ...(start !== null && { clock: () => at.now }),
    onRewrite: (p, n) => void told.rewrites.push([p.slice(dir.length + 1), n]),
    onDelete: (p, r) => void told.deletes.push([p.slice(dir.length + 1), r]),
    onError: (e) => void told.errors.push(e.message),
    ...extra,
  });
  return { at, told, exporter };
}

/** requestIds per .ndjson file on disk (a blank line there fails: the exporter writes none). */
export async function onDisk(dir: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.ndjson')).sort()) {
    out[name] = (await readFile(join(dir, name), 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { requestId: string }).requestId);
  }
  return out;
}

export const line = (n: number, ts: number, retentionSec: number | null) => telemetryLine(n, { ts, retentionSec });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `cond` holds (polled every 20 ms), up to `ms` (generous: the suite runs on a small,
 * busy machine, where a timer or a file operation can be late by seconds); whether it held. The
 * caller then asserts the condition itself, so a deadline passed fails there, saying what was seen.
 */
export async function until(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await sleep(20);
  }
}
