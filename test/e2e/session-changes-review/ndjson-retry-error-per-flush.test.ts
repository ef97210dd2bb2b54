/**
 * Found by a review of this session's SDES, KDR, NDJSON, vocabulary and contract changes, fixed since: a failed deletion is tried again (and its error told) once its retry moment has come, whoever asks — not at every flush (src/export/ndjson-rotating.ts deleteExpired / deleteOverMaxFiles).
 */
/**
 * Review of 8118748 (NDJSON failed deletion retry): the failure is told again at every flush,
 * not once per retry second — a log flood in `live`.
 *
 * Input: a RotatingNdjsonExporter (fake clock 1000, default maxBytes) writes line A (expiresAt
 * 1010) and rotates: exports.000001 is closed; line B (expiresAt 2000) opens exports.000002.
 * exports.000001 is made undeletable (a directory in its place: unlink gives EISDIR, as the
 * commit's own test does; EACCES on the folder behaves the same). At clock 1011 (nothing
 * advances it) the exporter takes 50 batches the way `live` does (src/cli/live.ts
 * ndjsonExporter.take: writeLine for each line, then flush()).
 *
 * Was: every flush() runs deleteExpired(), which tries the file again whatever its retryAt and
 * calls onError each time: 50 errors within the same second. `live` turns each into a
 * `file-error` log line at level error, so one file an operator cannot delete (an earlier
 * run's file owned by root, a read-only remount) yields one error line per delivered batch, for
 * ever — thousands a second on a busy feed, drowning every other log line.
 *
 * Correct: the design the commit states — a failed deletion is "due again after
 * DELETE_RETRY_SEC" (ndjson-rotating.ts delete()), the retry a second later — i.e. at most one
 * attempt (and one onError) per file per second; live's own rule for repeated failures is one
 * log line per outage (live.ts oncePerOutage). SPEC §4 (keep nothing past retention) is met by
 * the timer's retry; flooding the log does not delete the file sooner.
 *
 * Fix: src/export/ndjson-rotating.ts deleteExpired/deleteOverMaxFiles: skip a file whose
 * retryAt is still in the future (only try it once `now >= retryAt`), or report a file's
 * failure once until it has been deleted (onError on the first failure of each file, onDelete
 * when it finally goes).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scr-ndjson-flood-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
const line = (name: string, expiresAt: number): string => JSON.stringify({ type: 'telemetry', requestId: name, ts: 1000, expiresAt });

it('an undeletable expired file is tried (and its failure told) at most once per retry second, not at every flush', async () => {
  let now = 1000;
  const errors: string[] = [];
  const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports', clock: () => now, onError: (e) => errors.push(e.message) });
  await ex.writeLine(line('A', 1010), 1010);
  await ex.rotate();
  await ex.writeLine(line('B', 2000), 2000);
  const path = join(dir, 'exports.000001.ndjson');
  await rename(path, path + '.aside');
  await mkdir(path);
  now = 1011;
  for (let i = 0; i < 50; i++) {
    await ex.writeLine(line(`X${i}`, 2000), 2000);
    await ex.flush();
  }
  const duringOneSecond = errors.length;
  await ex.close();
  expect(duringOneSecond).toBeLessThanOrEqual(1);
  expect(errors[0]).toMatch(/EISDIR|EPERM/);
});
