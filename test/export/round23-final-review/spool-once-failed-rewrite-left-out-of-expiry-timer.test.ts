/**
 * Found by a review of bc617ce (the spool's expiry timer), fixed since: a 1 s sweep (expire with retry)
 * hands a failed segment with nothing due back to the timer — its `failed` mark cleared, nextDueAt
 * counts its lines again (src/export/spool.ts DiskSpool.expire).
 *
 * Input: a DiskSpool (fake clock, now 1000; small segmentBytes) with segment-1 holding A (expiresAt
 *   1010) and C (1100), D (1200) in segment-2. A is acknowledged: its settled line outweighs C's, so
 *   segment-1 is rewritten — and that rewrite fails once (a real EISDIR: `segment-1.ndjson.tmp` is a
 *   folder at that moment; the operator's disk trouble). The folder is removed at once: the disk
 *   works again. A sweep (expire(), with its retries) runs at 1005 and fails at nothing. Then the
 *   expiry timer's call (expire(false)) at 1011, past A's expiry, and at 1101, past C's.
 * Was (observed): segment-1 stays marked `failed` (only a successful tidy of that segment clears it,
 *   and the sweep at 1005 does not retry it: its dead line is not due yet), so nextDueAt after that
 *   sweep is 1100 (A's 1010 left out), and expire(false) at 1011 leaves A's line — its telemetry
 *   body — in segment-1.ndjson; at 1101 C (expired from memory) also stays on disk. Both go only at
 *   the next 1 s sweep: the lingering bc617ce set out to end, for a segment whose one rewrite
 *   failed once long before, though every disk operation since succeeded.
 * Correct: README Exporters "by an item's expiry its bytes are gone from the spool directory whatever
 *   became of it", SPEC §4 (nothing kept past retention); nextDueAt's own doc: "never late". Only a
 *   failure still pending a retry (due and not yet tried again) may be left to the sweep interval;
 *   a segment the sweep passed over as not due has no failure to retry.
 * Fix: src/export/spool.ts DiskSpool.expire: with `retry`, clear `failed` on segments not due (or
 *   mark a segment failed only while the failed work is due: set `failed` only when deadUntil <= now
 *   / live <= 0 at the failure, and reset it in expire(true) for segments it does not tidy), then
 *   earliestDue counts their deadUntil again.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool } from '../../../src/export/spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r23final-spool-failed-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const body = (tag: string): string => JSON.stringify({ telemetry: tag.repeat(100) });

it('a segment whose rewrite failed once has its later-due lines removed at their expiry once the disk works again', async () => {
  let now = 1000;
  const spool = await DiskSpool.open(dir, { clock: () => now, segmentBytes: 300 });
  try {
    await spool.append({ id: 'A', expiresAt: 1010, body: body('a') });
    await spool.append({ id: 'C', expiresAt: 1100, body: body('c') });
    await spool.append({ id: 'D', expiresAt: 1200, body: body('d') });
    const seg1 = join(dir, 'segment-1.ndjson');
    expect(await readFile(seg1, 'utf8')).toContain('"A"');
    expect(await readFile(seg1, 'utf8')).toContain('"C"');
    expect(await readFile(join(dir, 'segment-2.ndjson'), 'utf8')).toContain('"D"');
    // the rewrite's .tmp cannot be written once
    await mkdir(`${seg1}.tmp`);
    await expect(spool.acknowledge('A')).rejects.toThrow(/segment-1\.ndjson\.tmp/);
    await rmdir(`${seg1}.tmp`);
    // the 1 s sweep runs with nothing failing (its stray .tmp retry finds nothing)
    now = 1005;
    await spool.expire();
    expect.soft(spool.nextDueAt, "A's settled line on disk is due at 1010").toBeLessThanOrEqual(1010);
    // the expiry timer's call just past A's expiry
    now = 1011;
    await spool.expire(false);
    expect.soft(await readFile(seg1, "utf8"), "A's line still in segment-1 after its expiry").not.toContain('"A"');
    now = 1101;
    await spool.expire(false);
    const left = await readFile(seg1, 'utf8').catch(() => '');
    expect(left, "C's line still on disk after its expiry").not.toContain('"C"');
  } finally {
    await spool.close();
  }
});
