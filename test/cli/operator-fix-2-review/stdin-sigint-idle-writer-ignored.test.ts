/**
 * Found by a review of standard input and output-file errors (185a36b), fixed since: the interrupt reaches the reader, which closes standard input and ends the batches without a warning (native-free/capture.ts readCaptureBatches, ReadCaptureOptions.signal from src/pipeline/replay-engine.ts replayCapture; replay --to: src/cli/replay.ts sendCapture closes stdin).
 */
/**
 * Input: `… | aipref-enforcer replay - --out d --quiet`, the writer having written 5 MB of a
 *   good capture and then quiet but not gone (a live `tcpdump -w -` on a quiet link, `ssh probe
 *   …`); then SIGINT (or SIGTERM, which takes the same handler) to the enforcer alone — as a
 *   supervisor's `kill -INT <pid>` does, or Ctrl-C where the writer is not in the foreground
 *   group. Also `replay - --to udp://…`.
 * Was: the signal does nothing: the run is still there 6.5 s later (killed here), nothing more
 *   written, no summary. runReplay's handler aborts `interrupt`, but the abort is looked at only
 *   when the next batch arrives (src/pipeline/packet-feed.ts runBatches: `if (signal?.aborted)
 *   break` inside the for-await), and the reader's read-ahead waits for the next 4 MiB of
 *   stdin (native-free/capture.ts readCaptureBatches) — which a quiet writer may never send.
 *   With a writer that keeps writing, SIGINT does end the run (exit 130, checked fine).
 * Correct: as with a file or a busy pipe: the run stops promptly, what was read is written and
 *   summed up (` — interrupted`), exit 130 (README/replay.ts: an interrupt exits 130).
 * Fix: give the reader the abort signal (ReadCaptureOptions.signal, from replay-engine.ts via
 *   PacketFeed.run, and from replay-sender.ts): on abort, readCaptureBatches closes its in-turn
 *   reader (process.stdin.destroy()), so the read in flight settles and the loop ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repeatedCapture, runHeldOpen } from './stdin-helpers.js';

let dir: string;
let capture: Uint8Array;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-held-int-'));
  capture = await repeatedCapture(5_000_000);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SIGINT during a stdin replay whose writer has gone quiet', () => {
  it('replay -: stops promptly, exit 130, the summary says interrupted', async () => {
    const r = await runHeldOpen(['replay', '-', '--out', path.join(dir, 'out'), '--json', '--quiet'], capture, { sigintAfterMs: 1_500, timeoutMs: 8_000 });
    expect(r.killed, `still running 6.5 s after SIGINT; stderr: ${JSON.stringify(r.stderr)}`).toBe(false);
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(5_000);
    expect(JSON.parse(r.stdout).packets).toBeGreaterThan(0);
  });

  it('replay - --to udp://…: stops promptly, exit 130', async () => {
    const r = await runHeldOpen(['replay', '-', '--to', 'udp://127.0.0.1:9', '--speed', '0'], capture, { sigintAfterMs: 1_500, timeoutMs: 8_000 });
    expect(r.killed, `still running 6.5 s after SIGINT; stderr: ${JSON.stringify(r.stderr)}`).toBe(false);
    expect(r.code).toBe(130);
  });
});
