/**
 * Found by a review of live's stop (round 20), fixed since: an acks file recovery wrote empty is removed at close while still empty (src/export/spool.ts DiskSpool.close).
 *
 * Input: `live --udp 127.0.0.1:<a port in use> --to http://127.0.0.1:9/x --spool <tmp>/fresh/s/t
 *   --workers 0`, where <tmp>/fresh does not exist: the start is refused at the UDP port
 *   (exit 1) after the AI-service exporter has opened its spool.
 * Was (observed): exit 1, "bind EADDRINUSE" — and <tmp>/fresh/s/t/acks.ndjson (0 bytes) is left
 *   behind with fresh, fresh/s, fresh/s/t. DiskSpool.open → recover() → rewriteAcks() always
 *   writes the acks file, even with nothing acknowledged; the exporter's close() keeps it, so
 *   live.ts's removeMade(madeDirs) finds the folders not empty and keeps them all. (--out's
 *   folders made by the same start are removed: its files are only made on the first line.)
 * Correct: 2959c65's own promise, and the code's comment over checkOutDir: "a refused start
 *   leaves nothing" — a folder made by a start that was refused goes again (an operator who
 *   fixes the port and starts again, or a different --spool, expects no stray spool tree; a
 *   mistyped --spool path must not leave folders around).
 * Fix: src/export/spool.ts DiskSpool.recover()/rewriteAcks(): do not write an acks file when
 *   there is none and nothing is acknowledged (create it on the first ack); or in
 *   src/cli/live.ts startLive's refusal paths, remove the spool's own empty files in a spool
 *   folder this start made before removeMade(madeDirs).
 */
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt } from '../live-helpers.js';
import { exitWithin, spawnLive } from './helpers.js';

let dir = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'r20-spool-refused-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a start refused at its UDP port removes the --spool folders it made', async () => {
  const taken = createSocket('udp4');
  await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
  try {
    const fresh = path.join(dir, 'fresh');
    const { child, text } = spawnLive(['--udp', `127.0.0.1:${taken.address().port}`, '--to', 'http://127.0.0.1:9/x', '--spool', path.join(fresh, 's/t'), '--out', path.join(dir, 'out-fresh/o'), '--workers', '0']);
    const ended = await exitWithin(child, 60_000);
    expect(ended, text()).toEqual({ code: 1, signal: null });
    expect(text()).toContain('EADDRINUSE');
    // --out's are gone (checked fine); --spool's should be too
    expect(existsSync(path.join(dir, 'out-fresh'))).toBe(false);
    expect({ spoolTreeLeft: existsSync(fresh), acks: existsSync(path.join(fresh, 's/t/acks.ndjson')) }).toEqual({ spoolTreeLeft: false, acks: false });
  } finally {
    taken.close();
  }
}, 120_000);
