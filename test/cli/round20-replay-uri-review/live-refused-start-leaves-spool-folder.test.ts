/**
 * Found by a review of replay outputs and live options (round 20), fixed since: an acks file recovery wrote empty is removed at close while still empty (src/export/spool.ts DiskSpool.close).
 *
 * Input: `aipref-enforcer live --udp 127.0.0.1:<port in use> --to http://… --spool <new>/spool`
 *   — a start refused (the port is taken) whose --spool folder did not exist.
 * Was: (observed) exit 1 with the one-line refusal, but <new>/spool is left behind holding an
 *   empty acks.ndjson: the spool exporter made the file at its open, and 2959c65's removeMade
 *   (src/cli/live.ts) removes only empty folders, so neither <new>/spool nor <new> goes. (The
 *   --out folder of the same start is removed: it stays empty.)
 * Correct: README (Live, 2959c65): "a start refused for any reason removes the folders it made" —
 *   the spool never took a line, so there is nothing in it worth keeping.
 * Fix: src/export/spool.ts: make acks.ndjson at the first acknowledgement (or have the exporter's
 *   close remove an empty acks.ndjson it made when nothing was spooled), so startLive's catch can
 *   removeMade the spool folders too.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-live-refused-spool-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a start refused at its UDP port leaves no --spool folder', async () => {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  try {
    const spoolRoot = path.join(dir, 'new');
    const r = spawnSync(process.execPath, [BIN, 'live', '--udp', `127.0.0.1:${sock.address().port}`, '--to', 'http://127.0.0.1:9/telemetry', '--spool', path.join(spoolRoot, 'spool'), '--quiet'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('EADDRINUSE');
    expect(existsSync(spoolRoot), `${spoolRoot} left behind by a refused start`).toBe(false);
  } finally {
    sock.close();
  }
}, 90_000);
