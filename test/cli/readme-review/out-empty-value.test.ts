/**
 * Found by a review of the README and the CLI contract (SPEC §8), fixed since: an empty --out
 * value is bad usage (replay and live), `inspect --filter` on a pipe is bad usage naming
 * --filter, a refused capture says only what refused it (policy warnings once the run starts).
 *
 * Input: `aipref-enforcer replay samples/call-small.pcap --out ''` (an empty --out, what
 * `--out "$OUTDIR"` gives when the variable is unset), run in a fresh empty folder; also the
 * `--out=` spelling; and `live --udp 127.0.0.1:0 --out ''`.
 *
 * Was: exit 0; the files are written into the current folder, and the summary's last line says
 *   "written to / (exports.ndjson 4 lines, reports.ndjson 14 lines)"
 * i.e. it names the file system's root, where nothing was written (path.join('', path.sep) is
 * '/'). An operator reading it looks in / (or fears the run wrote there as root).
 * live: exit 1 with "aipref-enforcer live: ENOENT: no such file or directory, scandir ''"
 * (not naming --out), and an `exports.lock` left behind in the current folder.
 *
 * Correct: `--out <dir>` (SPEC §8, README "Commands") takes a folder; an empty value names
 * none, so it is bad usage: exit 2, one line naming --out, nothing written anywhere (as
 * `--window ''` and `--workers ''` already are: exit 2). At the very least the summary must
 * not name a folder the run did not write to.
 *
 * Fix: src/cli/replay.ts runReplay: `if (values.out === '') throw new UsageError("--out needs a
 * folder, not ''")` before checkOutDir (and the same in src/cli/live.ts for live --out / --spool);
 * if an empty value were to mean the current folder instead, the summary's
 * `path.join(outDir, path.sep)` must print './' (e.g. `path.join(outDir || '.', path.sep)`).
 */
import { mkdir, readdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, SMALL_PCAP, Workspace } from '../../e2e/e2e-helpers.js';

const run = promisify(execFile);
const ws = new Workspace();
afterAll(() => ws.cleanup());

async function inFolder(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe("--out ''", () => {
  for (const spelling of [['--out', ''], ['--out=']]) {
    it(`${spelling.join(' ')}: bad usage (exit 2) naming --out, nothing written; never "written to /"`, async () => {
      const cwd = await ws.file(`cwd-${spelling.length}`);
      await mkdir(cwd);
      const r = await inFolder(cwd, 'replay', SMALL_PCAP, ...spelling, '--workers', '0');
      // the false line it printed
      expect(r.stdout).not.toMatch(/^written to \/ /m);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^aipref-enforcer replay: --out\b/);
      expect(await readdir(cwd)).toEqual([]);
    });
  }

  it("live --out '': bad usage (exit 2) naming --out, before it listens; no exports.lock left in the current folder", async () => {
    const cwd = await ws.file('cwd-live');
    await mkdir(cwd);
    const r = await inFolder(cwd, 'live', '--udp', '127.0.0.1:0', '--out', '', '--workers', '0');
    expect(r.stderr.split('\n')[0]).not.toContain("scandir ''");
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^aipref-enforcer live: --out\b/);
    expect(await readdir(cwd)).toEqual([]);
  });
});
