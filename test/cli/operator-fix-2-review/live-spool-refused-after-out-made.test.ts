/**
 * Found by a review of standard input and output-file errors (185a36b), fixed since: --out and --spool are both checked before either folder is made (src/cli/live.ts startLive).
 */
/**
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --out <new folder> --to http://127.0.0.1:9/x
 *   --spool <file>/sub` — a --spool that cannot be a folder, an --out still to be made.
 * Was: the refusal is right (`--spool <file>/sub: <file> is not a folder`, exit 1), but the
 *   --out folder has been made and is left behind, empty: startLive opens the NDJSON exporter
 *   (checkOutDir, then makeDir) before it checks --spool (src/cli/live.ts startLive).
 * Correct: "live checks --spool as it checks --out": both before anything is made, so a refused
 *   start leaves nothing (out-dir.ts checkOutDir: "found out before … leaving nothing made").
 * Fix: src/cli/live.ts startLive: checkOutDir(spoolDir, '--spool') with --out's check, before
 *   ndjsonExporter makes the --out folder (e.g. first thing in the exporters' try, or in
 *   liveOptionsFromArgs).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, lines } from './stdin-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-live-spool-out-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('live: a bad --spool with an --out to make', () => {
  it('refused in one line, and the --out folder is not made', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'x');
    const out = path.join(dir, 'out');
    const spool = path.join(file, 'sub');
    const r = spawnSync(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--out', out, '--to', 'http://127.0.0.1:9/x', '--spool', spool, '--quiet'], { encoding: 'utf8', timeout: 15_000 });
    expect(lines(r.stderr)).toEqual([`aipref-enforcer live: --spool ${spool}: ${file} is not a folder`]);
    expect(r.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});
