/**
 * Found by a review of replay outputs (round 20), fixed since: a socket is no longer spared the pre-check, so it is refused before any file is emptied (src/cli/replay.ts checkOpenable).
 *
 * Input: `aipref-enforcer replay call-small.pcap --policy policy.json --out out` where out/ holds an
 *   earlier run's exports.ndjson and a UNIX socket sits at out/reports.ndjson (a collector's
 *   socket put there by mistake; same with a symlink to a socket, or to a device that cannot be
 *   opened); and `--explain --out fresh` where fresh/ holds only a socket at decisions.ndjson.
 * Was: (observed) exit 1, `out/reports.ndjson: cannot open: no such device or address (ENXIO)` —
 *   but the earlier run's exports.ndjson is now EMPTY (9361 → 0 bytes), and in fresh/ the run
 *   leaves an empty exports.ndjson and reports.ndjson it made. 2959c65's checkOpenable skips its
 *   probe for FIFOs, character devices *and sockets*, so the socket's refusal comes only from
 *   createFile, after the files before it were opened 'w' (truncated), and that catch neither
 *   removes the files the probe made nor the folders.
 * Correct: as for any other file that cannot be opened (a folder in its place): refused before any
 *   file is emptied, nothing of the run's left (replayOutputs' own comment: "a run refused for one
 *   … leaves an earlier run's files as they were, and nothing of its own"; README replay: "a run
 *   refused … leaves an existing folder as it was"). A socket is never a writable output file:
 *   there is no reader to spare.
 * Fix: src/cli/replay.ts checkOpenable: skip the open/close probe only for FIFOs and character
 *   devices; refuse a socket there (`<path>: cannot open: … (ENXIO)`, as open says it). And in
 *   replayOutputs, have the createFile catch also unlink `createdFiles` and removeMade(madeDirs)
 *   (a device whose open fails gets there too).
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, SMALL_PCAP, SMALL_POLICY } from './helpers.js';

let dir: string;
const servers: Server[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-replay-socket-'));
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function socketAt(file: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
}

it("a socket at reports.ndjson: refused, the earlier run's exports.ndjson left as it was", async () => {
  const out = path.join(dir, 'out');
  const first = cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet']);
  expect(first.status).toBe(0);
  const before = await readFile(path.join(out, 'exports.ndjson'));
  expect(before.length).toBeGreaterThan(0);
  await rm(path.join(out, 'reports.ndjson'));
  await socketAt(path.join(out, 'reports.ndjson'));
  const r = cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--quiet']);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('reports.ndjson: cannot open');
  const after = await readFile(path.join(out, 'exports.ndjson'));
  expect(after.length, `exports.ndjson of the earlier run: ${before.length} bytes before, ${after.length} after the refused run`).toBe(before.length);
}, 120_000);

it('a socket at decisions.ndjson (--explain): refused, no exports/reports files left behind', async () => {
  const fresh = path.join(dir, 'fresh');
  await mkdir(fresh);
  await socketAt(path.join(fresh, 'decisions.ndjson'));
  const r = cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', fresh, '--explain', '--quiet']);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('decisions.ndjson: cannot open');
  expect((await readdir(fresh)).sort()).toEqual(['decisions.ndjson']);
}, 120_000);
