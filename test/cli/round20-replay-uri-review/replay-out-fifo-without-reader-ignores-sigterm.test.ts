/**
 * Found by a review of replay outputs (round 20), fixed since: a FIFO output is opened first, its wait said after 1 s, and SIGINT/SIGTERM end the wait (exit 130) by opening its read end (src/cli/replay.ts).
 *
 * Input: `mkfifo out/exports.ndjson; aipref-enforcer replay call-small.pcap --out out` with no
 *   reader at the FIFO's other end yet (the loader not started, or crashed), then the operator
 *   gives up: Ctrl-C / `kill <pid>` (SIGINT / SIGTERM).
 * Was: (observed) the replay sits silent in open() (a libuv pool thread in the kernel's
 *   wait_for_partner) — fine so far, a FIFO's writer waits for its reader as `cmd > fifo` does —
 *   but SIGTERM and SIGINT do nothing: replay's handlers only abort the engine, the open never
 *   returns, and even an aborted run calls outputs.open() again at its end. Only SIGKILL ends it;
 *   nothing said on stderr meanwhile. (2959c65 kept the blocking open, now in createFile.)
 * Correct: waiting for a reader is acceptable, but an interrupt must end the run as it does
 *   anywhere else (README: SIGINT stops a replay; exit 130), leaving nothing of the run's own
 *   (what an operator expects of Ctrl-C: tcpdump -w fifo, cat > fifo all die on SIGINT).
 * Fix: src/cli/replay.ts replayOutputs/createFile: open a FIFO with O_WRONLY|O_NONBLOCK, retrying
 *   on ENXIO (no reader yet) until the run's AbortSignal fires (then reject as interrupted), and
 *   say once "waiting for a reader of <path>"; runReplay: no outputs.open() after an interrupt
 *   that came before any file was made.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, SMALL_PCAP, SMALL_POLICY, spawn, until, wchans } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-replay-fifo-noreader-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  it(`${signal} ends a replay waiting for its FIFO's reader`, async () => {
    const out = path.join(dir, signal);
    await mkdir(out);
    expect(spawnSync('mkfifo', [path.join(out, 'exports.ndjson')]).status).toBe(0);
    const child = spawn(process.execPath, [BIN, 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const ended = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((r) => child.on('close', (code, sig) => r({ code, sig })));
    // the run has reached the FIFO's open (a thread waits for the reader): no guessing at times
    const waiting = await until(async () => (await wchans(child.pid!)).some((w) => w.includes('wait_for_partner')), 45_000);
    expect(waiting, 'the replay never reached the open of its FIFO').toBe(true);
    child.kill(signal);
    let killed = false;
    const killer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 20_000);
    const { code } = await ended;
    clearTimeout(killer);
    expect(killed, `still running 20 s after ${signal} (stderr: ${stderr.trim() || 'nothing'}); killed`).toBe(false);
    expect(code).toBe(130);
  }, 120_000);
}
