/**
 * Found by a review of process-level behaviour, fixed since: the error line escapes control characters as JSON does instead of cutting the message at its first newline (src/cli/main.ts oneLine).
 */
/**
 * Input: a capture (or --policy file) whose name holds a newline: a missing `no\nsuch.pcap`, a
 *   non-capture `bad\nname.pcap` (a script looping over `find` output, a name pasted with its
 *   line end) given to replay, inspect and bindings.
 * Was: main.ts keeps the error message up to its first '\n', so the line is cut inside the name:
 *   `aipref-enforcer replay: no` — no byte offset, no reason (ENOENT, "not a pcap…"), half the
 *   name; exit 1.
 * Correct: SPEC §8 exit 1 comes "with one clear line on stderr naming the file and the byte
 *   offset"; README Exit codes: "one line on stderr naming the file and the byte offset or key".
 *   The one line must keep the reason and the offset, the name's control characters escaped.
 * Fix: src/cli/main.ts: make the message one line by escaping '\n' / '\r' (and other control
 *   characters) in it, e.g. JSON-style `\n`, rather than cutting it at the first newline (or
 *   quote file names where native-free/capture.ts and policy-file.ts build their messages).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, SMALL_PCAP } from '../bad-input-review/bad-input-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-nl-name-'));
  await writeFile(path.join(dir, 'bad\nname.pcap'), 'hello, not a capture\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a file name with a newline in it', () => {
  for (const command of ['replay', 'inspect', 'bindings']) {
    it(`${command}, missing capture: one line with the reason (ENOENT) and byte 0, naming the whole file`, async () => {
      const r = await run([command, 'no\nsuch.pcap', ...(command === 'replay' ? ['--out', 'out'] : [])], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.endsWith('\n')).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('such.pcap');
      expect(r.stderr).toContain('at byte 0');
      expect(r.stderr).toContain('ENOENT');
    });

    it(`${command}, not a capture: one line saying so, with byte 0`, async () => {
      const r = await run([command, 'bad\nname.pcap', ...(command === 'replay' ? ['--out', 'out'] : [])], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('name.pcap');
      expect(r.stderr).toContain('at byte 0');
      expect(r.stderr).toContain('not a pcap or pcapng capture');
    });
  }

  it('--policy naming a missing file: one line with the reason', async () => {
    const r = await run(['replay', SMALL_PCAP, '--out', 'out', '--policy', 'no\npolicy.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('policy.json');
    expect(r.stderr).toContain('ENOENT');
  });
});
