/**
 * Found by a review of standard input, second pass (9bb1a94), fixed since: the folders a refused start made (--out, --spool and their parents) are removed again when left empty (src/cli/live.ts startLive).
 */
/**
 * Input: `aipref-enforcer live --out <new>/x …` refused at start for something other than the
 *   folders: (a) --udp on a port already bound, (b) --to/--spool whose spool another live holds
 *   (its lock), (c) --nats to a server that refuses the connection.
 * Was: (observed) the one-line refusal and exit 1 are right, but <new>/x (and <new>) are made
 *   and left behind, empty: startLive opens the NDJSON exporter (ndjsonExporter: checkOutDir,
 *   then makeDir) before the AI service's spool, NATS and the listeners, and its catch closes
 *   the exporters without removing the folders makeDir made. cf497f1 moved the --spool check
 *   up "so a refused start leaves nothing", which holds only for checkOutDir's refusals.
 * Correct: a refused start leaves nothing made (cf497f1's comment in startLive; out-dir.ts:
 *   "found out before … leaving nothing made"; replay removes the folders it made when refused,
 *   9bb1a94). A port in use is the most common refusal of a service start.
 * Fix: src/cli/live.ts: ndjsonExporter returns (or records) makeDir's made folders; startLive's
 *   catch (after closing the exporters) calls removeMade on them — it removes only empty ones.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, lines } from '../operator-fix-2-review/stdin-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-live-refused-out-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const live = (args: string[]) => spawnSync(process.execPath, [BIN, 'live', ...args, '--quiet'], { encoding: 'utf8', timeout: 20_000 });

describe('live refused at start: the --out folder it made is not left behind', () => {
  it('(a) --udp port already in use', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    const port = sock.address().port;
    const top = path.join(dir, 'a');
    try {
      const r = live(['--udp', `127.0.0.1:${port}`, '--out', path.join(top, 'x')]);
      expect(r.status).toBe(1);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/EADDRINUSE/);
    } finally {
      sock.close();
    }
    expect(existsSync(top), `${top} left behind`).toBe(false);
  });

  it('(b) --spool held by another live', async () => {
    const spool = path.join(dir, 'spool');
    const first = spawn(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--to', 'http://127.0.0.1:9/x', '--spool', spool], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let log = '';
        const t = setTimeout(() => reject(new Error(`first live did not start: ${log}`)), 15_000);
        const on = (d: Buffer) => {
          log += d;
          if (log.includes('"event":"start"')) {
            clearTimeout(t);
            resolve();
          }
        };
        first.stdout!.on('data', on);
        first.stderr!.on('data', on);
      });
      const top = path.join(dir, 'b');
      const r = live(['--udp', '127.0.0.1:0', '--out', path.join(top, 'x'), '--to', 'http://127.0.0.1:9/x', '--spool', spool]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/spool is being used by another exporter/);
      expect(existsSync(top), `${top} left behind`).toBe(false);
    } finally {
      first.kill('SIGTERM');
      await new Promise((resolve) => first.on('close', resolve));
    }
  }, 40_000);

  it('(c) --nats server refusing the connection', () => {
    const top = path.join(dir, 'c');
    const r = live(['--udp', '127.0.0.1:0', '--out', path.join(top, 'x'), '--nats', 'nats://127.0.0.1:1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--nats .*cannot connect/);
    expect(existsSync(top), `${top} left behind`).toBe(false);
  }, 30_000);
});
