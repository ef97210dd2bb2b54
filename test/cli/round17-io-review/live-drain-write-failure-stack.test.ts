/**
 * Found by a review of round 17's write-failure handling, fixed since: a drain whose file cannot be written exits 1 with the one line naming it, no unhandled rejection: the signal handlers observe stop()'s rejection, `done` tells it (src/cli/live.ts runLive).
 */
/**
 * `live --out` whose export file cannot be written when SIGTERM drains the service.
 *
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --policy p --out <dir>`, p's default APT
 *   `export: aggregated-only` (window 60 s), <dir>/exports.000001.ndjson a symlink to /dev/full
 *   (every write fails with ENOSPC). 5 RTCP SRs are sent (folded into an open window: no export
 *   line yet), then SIGTERM: the drain closes the windows and writes their aggregates.
 * Was: exit 1, the one line `aipref-enforcer live: <dir>/exports.000001.ndjson: cannot write: …`
 *   and then Node's report of an unhandled rejection — the source line, `Error: …`, the whole
 *   stack with its `[cause]` (about 20 lines). runLive's signal handler calls
 *   `void service.stop()`; stop() awaits the engine, which rejected, and its rejection is
 *   observed by nobody (`done` tells the same error to runLive).
 * Correct: SPEC §8 — exit 1 with one clear line on stderr (besides the JSON log lines), never a
 *   stack; the round's own rule: "no unhandled rejection".
 * Fix: src/cli/live.ts runLive: `void service.stop().catch(() => undefined)` (in onStop and for
 *   `early === 'stop'`) — `done` already carries the failure to the exit code; or have stop()
 *   itself never reject once `failed` has been told.
 */
import { expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LiveChild } from '../../live/live-helpers.js';
import { sendSrs } from '../../live-delivery/live-fixtures.js';

it.skipIf(!existsSync('/dev/full'))('SIGTERM drains into a file that cannot be written: exit 1, one plain line, no stack', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'r17-drain-'));
  try {
    const policy = path.join(dir, 'p.json');
    await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'aggregated-only', retention: '1h' } }, default: 'apt-d', window: '60s' }));
    const out = path.join(dir, 'out');
    await mkdir(out);
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', policy, '--out', out, '--workers', '0', '--batch-ms', '5', '--metrics', '127.0.0.1:0']);
    await symlink('/dev/full', path.join(out, 'exports.000001.ndjson'));
    await sendSrs(addresses.udp!.port, 5, 0x11223344);
    // the SRs are read (their windows open) before the signal: waited for (up to 15 s) on
    // aipref_packets_read_total, as a fixed pause can be too short under a loaded CI
    const series = 'aipref_packets_read_total';
    for (const end = Date.now() + 15_000; Date.now() < end; ) {
      const text = await (await fetch(`http://127.0.0.1:${addresses.metrics!.port}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      if (line !== undefined && Number(line.slice(series.length + 1)) >= 5) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    const code = await live.terminate();
    expect(code).toBe(1);
    const plain = live.stderrText.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect(plain).toEqual([`aipref-enforcer live: ${path.join(out, 'exports.000001.ndjson')}: cannot write: no space left on device (ENOSPC)`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
