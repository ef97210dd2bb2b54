/**
 * Found by a review of bc617ce (the spool's expiry timer), fixed since: a 1 s sweep (expire with retry)
 * hands a failed segment with nothing due back to the timer — its `failed` mark cleared, nextDueAt
 * counts its lines again (src/export/spool.ts DiskSpool.expire).
 *
 * Input: an AiServiceExporter (default expirySweepMs 1000, concurrency 1, spool segmentBytes 1.5 lines)
 *   sent A (expiresAt 1.5 s ahead), C (1 h) — both in segment-1 — and D (1 h, segment-2). The service
 *   acknowledges A and never answers C. A's acknowledgement rewrites segment-1 (its settled line
 *   outweighs C's), and that one rewrite fails (a real EISDIR: `segment-1.ndjson.tmp` is a folder
 *   then, removed 50 ms later — a passing disk hiccup). The folder is read 150 ms after A's expiry.
 * Was (observed): A's line (its telemetry body) is still in segment-1.ndjson at expiresAt + 150 ms:
 *   the segment stays marked `failed` (DiskSpool), so nextDueAt leaves its dead line out and the
 *   expiry timer's expire(false) skips it; only the next 1 s sweep removes it. (Same root cause as
 *   spool-once-failed-rewrite-left-out-of-expiry-timer.test.ts, seen end to end.)
 * Correct: README Exporters / SPEC §4 — by an item's expiry its bytes are gone from the spool
 *   directory; bc617ce: "expired bytes go at their expiry, not at the next 1 s sweep". The disk
 *   worked again long before A's expiry; nothing was left to retry.
 * Fix: src/export/spool.ts DiskSpool.expire (retry) / earliestDue: a failed segment not due at a
 *   sweep is no longer "failed" (clear the flag), so nextDueAt counts its deadUntil again.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { buildAiServiceRequest } from '../../../src/export/ai-service-message.js';
import { startAiService } from '../ai-service-stub.js';
import { telemetryLine } from '../lines.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r23final-exp-failed-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** between one spooled line of these (an AI-service request, ~1 KiB) and two: A and C share segment-1 */
const lineBytes = (n: number): number => Buffer.byteLength(JSON.stringify({ id: 'x'.repeat(36), expiresAt: 0, spooledAt: 0, body: JSON.stringify(buildAiServiceRequest(telemetryLine(n))) }));
const SEGMENT_BYTES = Math.round(lineBytes(1) * 1.5);

it("a settled line in a segment whose rewrite failed once is gone by its expiry", async () => {
  // a whole second (up to 1 s ahead): A's expiresAt then ends in .5 and C's does not, so A's line is
  // the longer one and its settling outweighs C's (the rewrite the test needs); with Date.now()'s
  // own digits either could be a byte longer, and about one run in eight saw no rewrite at all
  const now = Math.ceil(Date.now() / 1000);
  const a = telemetryLine(1, { ts: now, retentionSec: 1.5 });
  const c = telemetryLine(2, { ts: now, retentionSec: 3600 });
  const d = telemetryLine(3, { ts: now, retentionSec: 3600 });
  const seg1 = join(dir, 'segment-1.ndjson');
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const service = await startAiService(async (hit, _n, res) => {
    if (hit.body.requestId !== a.requestId) return; // C never answered
    await gate;
    res.writeHead(200).end();
  });
  const errors: string[] = [];
  const exporter = await AiServiceExporter.open({
    url: service.url,
    spoolDir: dir,
    concurrency: 1,
    spool: { segmentBytes: SEGMENT_BYTES },
    onSpoolError: (e) => errors.push(e.message),
  });
  try {
    await exporter.send(a);
    await exporter.send(c);
    await exporter.send(d);
    await exporter.flush();
    const before = await readFile(seg1, 'utf8');
    expect(before).toContain(a.requestId);
    expect(before).toContain(c.requestId);
    expect(before).not.toContain(d.requestId);
    await mkdir(`${seg1}.tmp`);
    release();
    await expect.poll(() => exporter.stats.delivered, { timeout: 1000, interval: 5 }).toBe(1);
    await expect.poll(() => errors.length, { timeout: 1000, interval: 5 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    await rmdir(`${seg1}.tmp`);
    await new Promise((r) => setTimeout(r, Math.max(0, a.expiresAt! * 1000 + 150 - Date.now())));
    const after = await readFile(seg1, 'utf8');
    expect(after, "A's settled line still on disk after its expiry").not.toContain(a.requestId);
    expect(after).toContain(c.requestId);
  } finally {
    await exporter.close();
    await service.close();
  }
});
