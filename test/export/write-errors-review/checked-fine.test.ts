/**
 * Checked and found fine by a review of write errors (suspicion 2 of the round: `live --workers n`
 * and an NDJSON file that cannot be written while the shard threads are busy).
 *
 * Live hands the engine one batch at a time (maxInFlight 1) and its file sink never rejects
 * (src/cli/live.ts ndjsonExporter: the failure goes to onWriteFailure), so the drain ends with the
 * shards' finish before their threads close: no piscina "Terminating worker thread", no unhandled
 * rejection. (The same stack did come out of `replay --workers n` whose output file could not be
 * made: replay-workers-open-failure-stack.test.ts.)
 *
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --policy p --out <dir> --workers n --batch-ms 0
 *   --explain` (n = 1, 2); once started, one of its files (exports, reports, decisions
 *   .000001.ndjson) a symlink to /dev/full; RTCP SRs from 64 senders sent without pause (up to
 *   4000) — thousands queued when the drain begins, the shard threads busy through it.
 *   a) p exports raw: the first batch's write fails, the service stops itself;
 *   b) p aggregated-only (window 60 s): nothing is written until SIGTERM's drain closes the windows.
 * Correct (and what happens): SPEC §8 — exit 1, exactly one plain line on stderr,
 *   `aipref-enforcer live: <file>: cannot write: no space left on device (ENOSPC)`, one
 *   `write-failed` log line.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuilt, LiveChild } from '../../live/live-helpers.js';
import { sendSrs } from '../../live-delivery/live-fixtures.js';

let dir = '';
let raw = '';
let aggregated = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'wer-fine-'));
  raw = path.join(dir, 'raw.json');
  aggregated = path.join(dir, 'aggregated.json');
  await writeFile(raw, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-d' }));
  await writeFile(aggregated, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'aggregated-only', retention: '1h' } }, default: 'apt-d', window: '60s' }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(workers: number, file: string, how: 'raw' | 'sigterm'): Promise<void> {
  const out = path.join(dir, `out-${how}-${workers}-${file}`);
  await mkdir(out);
  const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', how === 'raw' ? raw : aggregated, '--out', out, '--workers', String(workers), '--batch-ms', '0', '--explain']);
  try {
    const full = path.join(out, `${file}.000001.ndjson`);
    await symlink('/dev/full', full);
    const send = (round: number) => sendSrs(addresses.udp!.port, 100, (i) => 0x1000 + ((i + round) % 64)).catch(() => undefined);
    // a first round before SIGTERM: windows open (aggregates to write at the drain) on a loaded machine too
    if (how === 'sigterm') await send(0);
    // then sent until the service has stopped listening
    const sending = (async () => {
      for (let round = 1; round < 40 && live.child.exitCode === null; round++) await send(round);
    })();
    let code: unknown;
    if (how === 'raw') code = await Promise.race([live.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    else {
      await new Promise((r) => setTimeout(r, 300));
      code = await live.terminate();
    }
    await sending;
    expect(code).toBe(1);
    const plain = live.stderrText.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect(plain).toEqual([`aipref-enforcer live: ${full}: cannot write: no space left on device (ENOSPC)`]);
    expect(live.logs.filter((l) => l.event === 'write-failed')).toHaveLength(1);
  } finally {
    if (live.child.exitCode === null) await live.terminate();
  }
}

for (const workers of [1, 2]) {
  it.skipIf(!existsSync('/dev/full'))(`--workers ${workers}, raw: exports on a full disk while the shards work: exit 1, the one line`, () => run(workers, 'exports', 'raw'), 60_000);
  for (const file of ['exports', 'reports', 'decisions']) {
    it.skipIf(!existsSync('/dev/full'))(`--workers ${workers}, SIGTERM drain into ${file} on a full disk: exit 1, the one line`, () => run(workers, file, 'sigterm'), 60_000);
  }
}
