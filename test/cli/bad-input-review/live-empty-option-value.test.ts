/**
 * Found by a review of bad input on the command line, fixed since: any live option given an empty value is refused in one line naming it (src/cli/live-options.ts optionsFrom).
 *
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --out <d> --policy=` (the value empty, as
 *   `--policy "$POLICY"` gives when the variable is unset); likewise `--hep-auth-key=`,
 *   `--token=`, `--udp=` beside `--hep`, `--metrics=`, `--rotate-age=`, `--rotate-bytes=`,
 *   `--max-files=`, `--uri-ca=`, `--filter=`.
 * Was: the empty value is dropped without a word (src/cli/live-options.ts optionsFrom spreads
 *   `...(str('policy') && {...})`, and '' is falsy): live starts and logs `"policy":"(none)"` —
 *   every stream enforced under no operator policy at all; `--hep-auth-key=` starts a HEP
 *   listener that takes unauthenticated frames; `--udp=` beside `--hep` starts without the UDP
 *   input asked for. `replay --policy=` by contrast stops (exit 1, "cannot read policy file"),
 *   and `live --out=` is refused as bad usage ("--out needs a folder, not an empty value").
 * Correct: bad input/usage is said, not ignored (SPEC §8: 2 bad usage / 1 bad input that stopped
 *   the run, one clear line; the project rule "Bad input gets a clear one-line error"): an
 *   option given with an empty value is refused before anything starts, in one line naming the
 *   option, as `--out=` already is.
 * Fix: src/cli/live-options.ts optionsFrom: test `str(k) !== undefined` instead of truthiness,
 *   and throw UsageError(`--${k} needs a value, not an empty one`) for '' (one helper for every
 *   string option), as the `--out === ''` check does.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-bad-input-live-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The CLI's exit code (null: still running after 4 s, then killed: it started) and stderr. */
function live(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'live', ...args], { cwd: dir, timeout: 4000, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr });
    });
  });
}

describe('live: an option given an empty value', () => {
  it('--policy= does not start the service under no policy: refused in one line naming the option', async () => {
    const { code, stderr } = await live(['--udp', '127.0.0.1:0', '--out', path.join(dir, 'o1'), '--policy=']);
    expect(stderr).not.toContain('"event":"start"');
    expect(code === 1 || code === 2).toBe(true);
    expect(stderr.split('\n')[0]).toMatch(/^aipref-enforcer live: .*policy/);
  });

  it.each([
    ['--policy=', ['--udp', '127.0.0.1:0']],
    ['--hep-auth-key=', ['--hep', '127.0.0.1:0']],
    ['--udp=', ['--hep', '127.0.0.1:0']],
    ['--token=', ['--udp', '127.0.0.1:0', '--to', 'https://ai.example/', '--spool', 'spool']],
    ['--metrics=', ['--udp', '127.0.0.1:0']],
    ['--rotate-age=', ['--udp', '127.0.0.1:0']],
    ['--rotate-bytes=', ['--udp', '127.0.0.1:0']],
    ['--max-files=', ['--udp', '127.0.0.1:0']],
    ['--uri-ca=', ['--udp', '127.0.0.1:0']],
    ['--uri-allow=', ['--udp', '127.0.0.1:0']],
    ['--filter=', ['--interface', 'lo']],
  ])('%s is refused, naming the option (not dropped)', async (empty, rest) => {
    const option = empty.slice(0, -1);
    await expect(liveOptionsFromArgs([...rest, '--out', 'o', empty])).rejects.toThrow(option);
  });
});
