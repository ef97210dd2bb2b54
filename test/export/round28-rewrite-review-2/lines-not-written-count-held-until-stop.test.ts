/**
 * Input: `live --hep 127.0.0.1:0 --out DIR --policy samples/policy.json` (in process, as
 *   runLive starts it); samples/call-small.pcap (times 2026-01-01: every aggregate is past its
 *   expiresAt when made) sent with `replay --to hep://… --speed 1` (its batches come over a few
 *   seconds, the last windows close on the idle ticks); then the feed stays silent for 62 s past
 *   the last old line, the service still running.
 * Was: the first flush that meets old lines logs `lines-not-written` at once; the lines of every
 *   later batch within the minute are added to `unwritten.since` and told only when another old
 *   line comes a minute or more after that log, or at the stop. After the last old line, 62 s of
 *   silence: the log still says only the first batch's count (2 of 11 here); the rest waits for
 *   SIGTERM — days on a service that runs for days, and never on a crash or SIGKILL.
 * Correct: README (Live, HEP paragraph): the service "logs how many (`lines-not-written`, at once,
 *   then at most once a minute, and the rest at the stop)"; src/cli/live.ts's own comment: "said
 *   at once, then at most once a minute with how many since". A running service must tell within
 *   about a minute how many lines it did not write (as malformed-datagram's suppressed count is
 *   told once a minute by its own timer, src/cli/malformed-log.ts); "the rest at the stop" is
 *   what came in the last minute, not everything after the first batch.
 * Fix: src/cli/live.ts ndjsonExporter: when a count is held back by the one-minute limit, arm an
 *   unref'd timer for the end of that minute that logs `unwritten.since` (cleared in close()),
 *   as malformedLog's interval does.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLive, type LiveService } from '../../../src/cli/live.js';
import { liveOptionsFromArgs, type LogEvent } from '../../../src/cli/live-options.js';
import type { ExportLine } from '../../../src/export/exporter.js';
import { cli, ensureBuilt } from '../../live/live-helpers.js';
import { tempDir } from '../round28-rewrite-review/common.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => cleanup?.());

it('an old capture at its own pace: within a minute of the last old line, the log has told every line not written', async () => {
  const logs: LogEvent[] = [];
  let oldLines = 0;
  let lastOldAt = 0;
  const opts = await liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--policy', path.join(REPO, 'samples/policy.json'), '--workers', '0', '--batch-ms', '5', '--no-resolve-uri', '--quiet']);
  let service: LiveService | undefined;
  try {
    service = await startLive({
      ...opts,
      log: (e) => void logs.push(e),
      onExported: (lines: readonly ExportLine[]) => {
        const now = Date.now() / 1000;
        const old = lines.filter((l) => 'expiresAt' in l && typeof l.expiresAt === 'number' && l.expiresAt <= now).length;
        if (old > 0) {
          oldLines += old;
          lastOldAt = Date.now();
        }
      },
    });
    const target = `hep://127.0.0.1:${service.addresses.hep!.udp.port}`;
    const told = () => logs.filter((l) => l.event === 'lines-not-written').reduce((n, l) => n + (l.count as number), 0);
    await cli(['replay', path.join(REPO, 'samples/call-small.pcap'), '--to', target, '--speed', '1']);
    const first = logs.find((l) => l.event === 'lines-not-written')?.count as number;
    expect(first).toBeGreaterThan(0);
    // the last windows close on the idle ticks (10 s windows): wait until no old line has come for 12 s
    while (Date.now() - lastOldAt < 12_000) await sleep(200);
    // (precondition: old lines came after the first log)
    expect(oldLines).toBeGreaterThan(first);
    // a minute and a bit of silence, the service running
    await sleep(Math.max(0, lastOldAt + 62_000 - Date.now()));
    expect(told()).toBe(oldLines);
  } finally {
    await service?.stop().catch(() => undefined);
  }
}, 120_000);
