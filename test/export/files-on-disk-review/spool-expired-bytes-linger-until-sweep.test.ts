/**
 * Found by a review of the files the enforcer keeps on disk (a known limit until then), fixed
 * since: the spool says its next due moment (the earliest expiry among waiting items and settled
 * lines still on disk) and the exporter keeps one unref'd timeout set for it, beside the 1 s sweep,
 * which still retries failed disk work at its interval (src/export/spool.ts DiskSpool.nextDueAt,
 * src/export/http-exporter.ts AiServiceExporter.armExpiry).
 *
 * Input: an AiServiceExporter whose service refuses connections (http://127.0.0.1:<closed port>,
 * backoff 60 s after the first failure), default expirySweepMs (1000 ms). Right after open it is
 * sent one telemetry line whose expiresAt is 300 ms ahead (wall clock). The spool directory is
 * read 250 ms after that expiresAt.
 *
 * Was: the item's line (its body, with the telemetry) is still in segment-1.ndjson at
 * expiresAt + 250 ms: only the 1 s sweep interval (setInterval in AiServiceExporter.open) removes
 * it, up to ~1 s after its expiry. (Settled items' lines due at their expiry wait for the same
 * sweep.)
 *
 * Correct: README Exporters: "by an item's expiry its bytes are gone from the spool directory
 * whatever became of it"; SPEC §4: "The enforcer itself keeps nothing past retention (windows,
 * spools and retries included)". The rotating NDJSON exporter keeps the same promise with a
 * timer set at the earliest expiry; the spool does not.
 *
 * Fix: src/export/http-exporter.ts (sweep scheduling) with src/export/spool.ts: have DiskSpool
 * expose its next due moment (min over pending expiries and segments' deadUntil) and set a
 * timeout for it (re-armed after each append/settle/expire), instead of, or beside, the fixed
 * 1 s interval.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { telemetryLine } from '../lines.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-spool-linger-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function spoolText(): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('segment-'));
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).join('');
}

it("an item waiting in the spool is gone from disk by its expiresAt, not at the next 1 s sweep", async () => {
  const port = await closedPort();
  const exporter = await AiServiceExporter.open({ url: `http://127.0.0.1:${port}/ingest`, spoolDir: dir, backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 0 } });
  try {
    const now = Date.now() / 1000;
    const line = telemetryLine(7, { ts: now, retentionSec: 0.3 });
    await exporter.send(line);
    await exporter.flush();
    expect(await spoolText()).toContain(line.requestId);
    const expiresAtMs = line.expiresAt! * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAtMs + 250 - Date.now())));
    expect(await spoolText()).toBe('');
  } finally {
    await exporter.close();
  }
});
