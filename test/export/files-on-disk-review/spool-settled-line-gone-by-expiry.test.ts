/**
 * Found by a review of the files the enforcer keeps on disk, fixed since: the spool says its next
 * due moment (src/export/spool.ts DiskSpool.nextDueAt, made exact by DiskSpool.expire) and the
 * exporter sets one timeout for it, beside the 1 s sweep (src/export/http-exporter.ts
 * AiServiceExporter.armExpiry).
 * Input: an AiServiceExporter (default expirySweepMs 1000) whose service acknowledges L1 (expiresAt
 *   400 ms ahead) and never answers L2 (an hour ahead): both lines in segment-1, L1's settled beside
 *   L2's waiting one. The spool directory is read 100 ms after L1's expiresAt. Also DiskSpool alone:
 *   nextDueAt after appends, an acknowledgement and expire().
 * Was: L1's settled line (its body, with the telemetry) stayed in segment-1 until the 1 s sweep
 *   interval rewrote it, up to ~1 s past its expiry.
 * Correct: by L1's expiry its line is gone (segment-1 holds L2's only); nextDueAt is the earliest
 *   expiry among waiting items and settled lines still on disk, Infinity when nothing is due.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { DiskSpool } from '../../../src/export/spool.js';
import { startAiService } from '../ai-service-stub.js';
import { telemetryLine } from '../lines.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-spool-settled-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function spoolText(): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('segment-'));
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).join('');
}

it("a settled item's line beside a waiting one is gone from disk by its expiresAt", async () => {
  const now = Date.now() / 1000;
  const l1 = telemetryLine(1, { ts: now, retentionSec: 0.4 });
  const l2 = telemetryLine(2, { ts: now, retentionSec: 3600 });
  const service = await startAiService((hit, _n, res) => {
    if (hit.body.requestId === l1.requestId) res.writeHead(200).end();
    // L2 is never answered: it stays waiting (in flight) until the exporter closes
  });
  const exporter = await AiServiceExporter.open({ url: service.url, spoolDir: dir, concurrency: 1 });
  try {
    await exporter.send(l1);
    await exporter.send(l2);
    await exporter.flush();
    await expect.poll(() => exporter.stats.delivered, { timeout: 300, interval: 5 }).toBe(1);
    const text = await spoolText();
    expect(text).toContain(l1.requestId);
    expect(text).toContain(l2.requestId);
    await new Promise((r) => setTimeout(r, Math.max(0, l1.expiresAt! * 1000 + 100 - Date.now())));
    const after = await spoolText();
    expect(after).not.toContain(l1.requestId);
    expect(after).toContain(l2.requestId);
  } finally {
    await exporter.close();
    await service.close();
  }
});

it('DiskSpool.nextDueAt is the earliest expiry of what is waiting or settled on disk', async () => {
  let now = 1000;
  const spool = await DiskSpool.open(dir, { clock: () => now });
  try {
    expect(spool.nextDueAt).toBe(Infinity);
    await spool.append({ id: 'a', expiresAt: 1010, body: '{}' });
    await spool.append({ id: 'b', expiresAt: 1005, body: '{}' });
    await spool.append({ id: 'c', expiresAt: 1020, body: '{}' });
    expect(spool.nextDueAt).toBe(1005);
    // settled: its line stays on disk, due at its expiry all the same
    await spool.acknowledge('b');
    expect(spool.nextDueAt).toBe(1005);
    now = 1006;
    await spool.expire();
    expect(spool.nextDueAt).toBe(1010);
    now = 1011;
    expect(await spool.expire()).toBe(1);
    expect(spool.nextDueAt).toBe(1020);
    await spool.acknowledge('c');
    now = 1021;
    await spool.expire();
    expect(spool.nextDueAt).toBe(Infinity);
    expect(await spoolText()).toBe('');
  } finally {
    await spool.close();
  }
});
