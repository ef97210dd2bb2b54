/**
 * Found by a review of bad input on the command line, fixed since: the policy's warnings are printed when the run's first output is made (replayOutputs onOpen), so a capture refused at its first record says only that (src/cli/replay.ts).
 *
 * Input: a policy file that is accepted with a warning (`{"default": "apt-nowhere"}`: a default
 *   with no `apts` entry) and a capture refused before its first record, given (a) through a pipe:
 *   `printf abc | aipref-enforcer replay /dev/stdin --policy warn.json --out d`, (b) as an empty
 *   FIFO, (c) as a file whose pcap header is fine but whose first record header is absurd
 *   (captured length 0x7fffffff at byte 24).
 * Was: exit 1 with TWO stderr lines, the policy's warning first:
 *   "aipref-enforcer replay: warn.json: default 'apt-nowhere' has no entry in apts: …"
 *   "aipref-enforcer replay: /dev/stdin: at byte 0: truncated file header: 3 bytes, not a capture".
 *   The earlier fix (test/cli/readme-review/refused-capture-one-line.test.ts) covers files refused
 *   by probeCaptureFormat only; a pipe is never probed, and a file refused at its first record
 *   header passes the probe, so runReplay prints policy.warnings() before the engine refuses it.
 *   Nothing is made in --out in all three (the run is treated as refused), yet the warning is out.
 * Correct: SPEC §8 "1 bad input that stopped the run … with one clear line on stderr naming the
 *   file and the byte offset"; the policy's warning belongs to runs that go ahead (the earlier
 *   fix's own reading): exactly one line, the capture's.
 * Fix: src/cli/replay.ts runReplay: print policy.warnings() when the run is accepted — in
 *   replayOutputs' open() (the first write, or the end of a capture with no record), or from an
 *   engine callback at its first batch — not before replayCapture is called.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, brokenSample, run, shell } from './bad-input-helpers.js';

let dir: string;
let policy: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-bad-input-warn-'));
  policy = path.join(dir, 'warn.json');
  await writeFile(policy, JSON.stringify({ default: 'apt-nowhere' }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const exists = (p: string) => access(p).then(() => true, () => false);

describe('a capture refused before its first record, with a policy that warns', () => {
  it('through a pipe: one stderr line, the capture’s', async () => {
    const out = path.join(dir, 'out-pipe');
    // a shell pipe (node's own child stdin is a socket, which /dev/stdin cannot open: ENXIO)
    const r = await shell(`printf abc | '${process.execPath}' '${BIN}' replay /dev/stdin --policy '${policy}' --out '${out}'`);
    expect(r.code).toBe(1);
    expect(await exists(out)).toBe(false);
    expect(r.stderr.trim().split('\n')).toEqual(['aipref-enforcer replay: /dev/stdin: at byte 0: truncated file header: 3 bytes, not a capture']);
  });

  it('an empty FIFO: one stderr line, the capture’s', async () => {
    const fifo = path.join(dir, 'empty.fifo');
    execFileSync('mkfifo', [fifo]);
    const out = path.join(dir, 'out-fifo');
    const child = spawn(process.execPath, [BIN, 'replay', fifo, '--policy', policy, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // the writer side: opened, nothing written, closed
    await writeFile(fifo, '');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(await exists(out)).toBe(false);
    expect(stderr.trim().split('\n')).toEqual([`aipref-enforcer replay: ${fifo}: at byte 0: empty file: not a capture`]);
  });

  it('a file whose first record header is absurd: one stderr line, the capture’s', async () => {
    const file = path.join(dir, 'bad-first.pcap');
    expect(await brokenSample(file, 0)).toBe(24);
    expect((await readFile(file)).length).toBeGreaterThan(24);
    const out = path.join(dir, 'out-first');
    const r = await run(['replay', file, '--policy', policy, '--out', out]);
    expect(r.code).toBe(1);
    expect(await exists(out)).toBe(false);
    expect(r.stderr.trim().split('\n')).toEqual([`aipref-enforcer replay: ${file}: at byte 24: absurd record length 2147483647 (limit 262144)`]);
  });
});
