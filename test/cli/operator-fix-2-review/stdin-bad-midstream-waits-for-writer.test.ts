/**
 * Found by a review of standard input and output-file errors (185a36b), fixed since: the reader closes standard input (or its zlib stream) before it waits for the read in flight (native-free/capture.ts readCaptureBatches).
 */
/**
 * Input: a capture broken near its start (record 200, ~40 KB in: absurd record length) fed on
 *   stdin by a writer that has written 5 MB and is still writing (stdin left open, as `tcpdump
 *   -w - | aipref-enforcer replay -` on a quiet link, or `ssh probe cat live.pcap | …`):
 *   `aipref-enforcer replay - --out d --quiet` (and `inspect -`).
 * Was: nothing at all on stderr and no exit: the run hangs for as long as the writer stays
 *   (killed after 8 s here). The break is found in the first 4 MiB chunk, but the reader's
 *   finally (native-free/capture.ts readCaptureBatches) first awaits the read-ahead still in
 *   flight — which waits for the next 4 MiB, or for the writer to end — and only then calls
 *   inTurn.close(). stdinReader's own comment ("Closing it destroys the stream: a writer still
 *   writing then sees its reader gone, and nothing keeps the process up") is not what happens.
 * Correct: the one-line error `aipref-enforcer replay: stdin: at byte <n>: absurd record length
 *   2147483647 (limit 262144)` at once and exit 1 (SPEC §8: bad input that stopped the run), the
 *   writer then seeing its reader gone (EPIPE), as it does when the writer is fast.
 * Fix: native-free/capture.ts readCaptureBatches' finally: close the in-turn reader (destroy
 *   process.stdin / the gunzip stream) before awaiting `pending` — destroying the stream settles
 *   the iterator's pending next(); only a FileHandle must outlive its read in flight.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakRecord, lines, repeatedCapture, runHeldOpen } from './stdin-helpers.js';

let dir: string;
let broken: Uint8Array;
let offset: number;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-held-bad-'));
  broken = (await repeatedCapture(5_000_000)).subarray(0, 5_000_000);
  offset = breakRecord(broken, 200);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a capture broken mid-stream on stdin while its writer is still writing', () => {
  it('replay -: the error at once, exit 1', async () => {
    const out = path.join(dir, 'replay');
    const r = await runHeldOpen(['replay', '-', '--out', out, '--quiet'], broken, { timeoutMs: 8_000 });
    expect(r.killed, `still running after 8 s; stderr: ${JSON.stringify(r.stderr)}`).toBe(false);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: stdin: at byte ${offset}: absurd record length 2147483647 (limit 262144)`]);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(5_000);
    // what was accepted before the break is written
    expect(existsSync(path.join(out, 'exports.ndjson'))).toBe(true);
  });

  it('inspect -: the lines before the break, the error, exit 1', async () => {
    const r = await runHeldOpen(['inspect', '-', '--json', '--quiet'], broken, { timeoutMs: 8_000 });
    expect(r.killed, `still running after 8 s; stderr: ${JSON.stringify(r.stderr)}`).toBe(false);
    expect(lines(r.stderr).at(-1)).toBe(`aipref-enforcer inspect: stdin: at byte ${offset}: absurd record length 2147483647 (limit 262144)`);
    expect(lines(r.stdout).length).toBe(200);
    expect(r.code).toBe(1);
  });
});
