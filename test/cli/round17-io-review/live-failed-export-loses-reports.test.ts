/**
 * Found by a review of round 17's write-failure handling, fixed since: a file that cannot be written no longer rejects the sink: the service stops as on SIGTERM, the batch's reports still reach their file, then stop() fails with the error (exit 1) (src/cli/live.ts ndjsonExporter, startLive onWriteFailure).
 */
/**
 * `live --out`: a batch whose export line cannot be written loses its report lines too.
 *
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --policy p --out <dir>` (p: default APT
 *   `apt-d`, export raw), <dir>/exports.000001.ndjson a symlink to /dev/full; one RTCP SR is
 *   sent. On a good disk the batch gives one export line and one report
 *   (`unbound-stream`, no dialog binds the SSRC) in reports.000001.ndjson.
 * Was: exit 1 naming exports.000001.ndjson (right), but reports.000001.ndjson never holds the
 *   `unbound-stream` report of the SR the service accepted and judged: the engine's writeBatch
 *   writes a batch's exports first (src/pipeline/replay-engine.ts), the file exporter's take()
 *   rejects with the write failure (src/cli/live.ts ndjsonExporter: `await file.flush()`), and
 *   the batch's reports are never handed to the reports file, which works.
 * Correct: the rule this round applies to replay — a file that cannot be written "loses nothing
 *   of the others": what was accepted still reaches the files that can be written (replay stops
 *   as on an interrupt, the batch in flight written to the other files), then exit 1 (SPEC §8).
 *   A report (`unbound-stream`, SPEC §6) of a packet the service read is such a line.
 * Fix: src/cli/live.ts: as replay's replayOutputs does, do not let one exporter's write failure
 *   reject the sink before the batch's other kinds are delivered — note the failure (stop the
 *   service as SIGTERM does: drain, deliver what the engine holds), and fail `done` with it at
 *   the end; or in deliver(), settle every kind of the batch before rethrowing.
 */
import { expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { LiveChild } from '../../live/live-helpers.js';
import { liveDeliveryFolder, sendSrs } from '../../live-delivery/live-fixtures.js';

const folder = liveDeliveryFolder('r17-live-reports-', '1h');

async function reportsOf(out: string): Promise<string[]> {
  const names = (await readdir(out)).filter((n) => /^reports\.\d{6}\.ndjson$/.test(n));
  const lines: string[] = [];
  for (const n of names) lines.push(...(await readFile(path.join(out, n), 'utf8')).split('\n').filter((l) => l !== ''));
  return lines.map((l) => (JSON.parse(l) as { type: string }).type);
}

async function oneSr(out: string, full: boolean): Promise<{ code: unknown; reports: string[] }> {
  await mkdir(out);
  const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--out', out, '--workers', '0', '--batch-ms', '5']);
  try {
    if (full) await symlink('/dev/full', path.join(out, 'exports.000001.ndjson'));
    await sendSrs(addresses.udp!.port, 1, 0x11223344);
    const code = await Promise.race([live.exited, new Promise((r) => setTimeout(() => r('still running'), 3000))]);
    if (code === 'still running') return { code: await live.terminate(), reports: await reportsOf(out) };
    return { code, reports: await reportsOf(out) };
  } finally {
    if (live.child.exitCode === null) await live.terminate();
  }
}

it.skipIf(!existsSync('/dev/full'))('exports on a full disk: the SR\'s unbound-stream report still reaches reports.ndjson', async () => {
  const good = await oneSr(path.join(folder.dir, 'good'), false);
  expect(good.code).toBe(0);
  expect(good.reports).toEqual(['unbound-stream']);
  const full = await oneSr(path.join(folder.dir, 'full'), true);
  expect(full.code).toBe(1);
  expect(full.reports).toEqual(good.reports);
}, 60_000);
