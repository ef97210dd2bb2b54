/**
 * Found by a review of standard input and output-file errors (185a36b), fixed since: standard input that is a folder is said as a folder by its name is (native-free/capture.ts stdinStats, from statCapture and readCaptureBatches).
 */
/**
 * Input: `aipref-enforcer inspect - < some-folder` (and replay, bindings): stdin a directory
 *   (a shell opens a folder for reading without complaint; a script's `< "$CAPTURE"` with a
 *   folder in the variable).
 * Was: `aipref-enforcer inspect: stdin: at byte 0: empty file: not a capture` (exit 1): Node
 *   makes process.stdin of a directory fd an empty dummy stream (guessHandleType 'UNKNOWN'),
 *   and the reader takes it for an empty capture. The same folder by its name says what it is:
 *   `<dir>: at byte 0: cannot read: EISDIR: illegal operation on a directory, read`.
 * Correct: one line naming stdin that says it is a directory, not that it is an empty file
 *   (SPEC §8: one clear line naming the input), e.g. `stdin: at byte 0: cannot read: illegal
 *   operation on a directory (EISDIR)`; exit 1.
 * Fix: native-free/capture.ts: for STDIN_CAPTURE, statCapture/readCaptureBatches look at
 *   fstatSync(0) and refuse a directory (and any fd Node gives no stream for) with that line,
 *   rather than reading process.stdin.
 */
import { spawnSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BIN, lines } from './stdin-helpers.js';

describe('`-` when stdin is a directory', () => {
  for (const cmd of ['inspect', 'bindings', 'replay']) {
    it(`${cmd} - < folder: says it is a folder`, () => {
      const fd = openSync(tmpdir(), 'r');
      try {
        const args = cmd === 'replay' ? ['replay', '-', '--out', `${tmpdir()}/aipref-dir-stdin-${process.pid}`, '--quiet'] : [cmd, '-'];
        const r = spawnSync(process.execPath, [BIN, ...args], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', timeout: 20_000 });
        const err = lines(r.stderr);
        expect(err).toHaveLength(1);
        expect(err[0]).not.toContain('empty file');
        expect(err[0]).toMatch(new RegExp(`^aipref-enforcer ${cmd}: stdin: at byte 0: .*(directory|folder|EISDIR)`));
        expect(r.status).toBe(1);
      } finally {
        closeSync(fd);
      }
    });
  }
});
