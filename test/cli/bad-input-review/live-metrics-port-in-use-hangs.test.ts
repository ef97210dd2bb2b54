/**
 * Found by a review of bad input on the command line, fixed since: the metrics server starts inside the listeners' try, so one that cannot bind closes what was bound and the command exits 1 (src/cli/live.ts).
 *
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --out <d> --metrics 127.0.0.1:<p>`, port <p>
 *   already taken by another listener (here a TCP server of the test).
 * Was: the one line "aipref-enforcer live: listen EADDRINUSE: address already in use
 *   127.0.0.1:<p>" on stderr, then the process never ends (killed by the test after 8 s): in
 *   src/cli/live.ts startLive, startMetricsServer runs after the try/catch that closes the
 *   listeners and exporters on a failure, so the UDP socket already bound (and the output files
 *   already open) keep the event loop alive. A port in use for `--udp` or `--hep` ends the run at
 *   once with exit 1.
 * Correct: SPEC §8 "1 bad input that stopped the run … with one clear line on stderr": the run
 *   that could not start ends, exit 1, as for a --udp or --hep address in use.
 * Fix: src/cli/live.ts startLive: start the metrics server inside the try whose catch closes
 *   `closers` and `exporters` (or close them in a catch around startMetricsServer), and name the
 *   flag in its error (`--metrics 127.0.0.1:<p>: EADDRINUSE`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './bad-input-helpers.js';

let dir: string;
let taken: Server;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-bad-input-metrics-'));
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => taken?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('live --metrics on a port in use', () => {
  it('ends the run, exit 1, with one line naming the address (as --udp or --hep in use do)', async () => {
    const r = await run(['live', '--udp', '127.0.0.1:0', '--out', path.join(dir, 'out'), '--metrics', `127.0.0.1:${port}`], { cwd: dir, timeoutMs: 8000 });
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${port}`);
    expect(lines[0]).toContain('EADDRINUSE');
    // null: still running after 8 s, killed by the test
    expect(r.code).toBe(1);
  }, 15_000);
});
