/**
 * Found by a review of live operations, fixed since: live's option errors are one line naming the
 * flag (and, for a value from --config, the file and key), --max-files/--rotate-bytes 0 are
 * refused, --nats-max-age is checked without --nats, an unreachable NATS server is named.
 *
 * `aipref-enforcer live` option parsing (README "Live beside a media relay": flags, or a JSON/YAML
 * config file whose keys are the flags' names; SPEC §8 exit codes: 2 bad usage, 1 bad input that
 * stopped the run, with one clear line). Each case runs the CLI as a child, killed after 4 s if it
 * starts listening (which, for a bad value, is itself the defect).
 *
 * 1. Input: `live --udp 127.0.0.1:0 --workers -1` (likewise `--batch-ms -1`).
 *    Was: three lines from node's parseArgs: "aipref-enforcer live: Option '--workers' argument is
 *    ambiguous.\nDid you forget to specify the option argument for '--workers'?\nTo specify an option
 *    argument starting with a dash use '--workers=-XYZ'." — `replay --workers -1` says it in one
 *    line: "--workers needs a value: '-1' looks like an option (write --workers=-1 to give it)".
 *    Correct: one line naming the flag and the value, then the usage (exit 2), as replay does.
 *    Fix: src/cli/live-options.ts liveOptionsFromArgs: pass parseArgs errors through the same
 *    usageMessage() src/cli/args.ts uses (export it) instead of err.message.
 *
 * 2. Input: `live --udp 127.0.0.1:0 --out d --max-files 0` and `… --rotate-bytes 0`.
 *    Was: accepted (the service starts). With --max-files 0 every file is deleted at stop
 *    (`file-deleted … "more than --max-files 0 closed files"` for exports.000001 and reports.000001):
 *    the whole run's unexpired exports and reports are gone. With --rotate-bytes 0 every line gets a
 *    file of its own (exports.000001 … exports.000010 for 10 lines).
 *    Correct: bad values → exit 2 with one line, as `--nats-max-pending 0` already is ("takes a whole
 *    number of at least 1, not 0").
 *    Fix: src/cli/live-options.ts: wrap rotate-bytes and max-files in positive().
 *
 * 3. Input: `live --udp 127.0.0.1:0 --out d --nats-max-age bogus` (no --nats).
 *    Was: accepted silently (the value is only checked when --nats is given); `--filter` without
 *    `--interface` by contrast is refused.
 *    Correct: an unparsable duration is bad usage whatever else is given: exit 2.
 *    Fix: liveOptionsFromArgs: validate duration(str('nats-max-age')) before the `nats !== undefined` branch.
 *
 * 4. Input: `--config live.json` with `{"udp":"127.0.0.1:0","window":"bogus"}`.
 *    Was: "aipref-enforcer live: --window takes a duration such as 10s or 1m, not 'bogus'" + usage,
 *    exit 2 — the file is not named, so the operator looks for a --window flag that was never given
 *    (while `"explain":"yes"` in the same file says "live.json: config key 'explain' takes true or
 *    false", exit 1).
 *    Correct: a bad value read from the config file names the file and the key (as the policy file's
 *    errors do, SPEC §9 "one line naming the file, the key and the value").
 *    Fix: live-options.ts: remember which keys came from the config file, and prefix UsageErrors for
 *    those with `<file>: config key '<key>'`.
 *
 * 5. Input: `live --udp 127.0.0.1:0 --out d --nats nats://127.0.0.1:1` (nothing listening there).
 *    Was: exit 1 with "aipref-enforcer live: CONNECTION_REFUSED" — neither the flag nor the server named.
 *    Correct: one clear line naming what failed (SPEC §8), like `--uri-ca <file>: ENOENT`:
 *    "--nats nats://127.0.0.1:1: CONNECTION_REFUSED".
 *    Fix: src/cli/live.ts startLive: catch NatsJetStreamExporter.open's error and rethrow
 *    `--nats ${opts.nats.servers}: ${message}`.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, REPO } from '../live-helpers.js';
import { tempWithRawPolicy } from './review-helpers.js';

const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
let dir: string;

/** The CLI's exit code (null: still running after 4 s, killed) and stderr. */
function live(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'live', ...args], { cwd: dir, timeout: 4000, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr });
    });
  });
}

beforeAll(async () => {
  await ensureBuilt();
  ({ dir } = await tempWithRawPolicy('rl-opt-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('live option parsing', () => {
  it.each([['--workers'], ['--batch-ms']])('%s -1: one line naming the flag and the value (as replay), exit 2', async (flag) => {
    const { code, stderr } = await live(['--udp', '127.0.0.1:0', '--out', path.join(dir, 'o1'), flag, '-1']);
    expect(code).toBe(2);
    const lines = stderr.split('\n');
    expect(lines[0]).toContain(`'-1'`);
    expect(lines[1]).toBe('usage:');
  });

  it.each([['--max-files'], ['--rotate-bytes']])('%s 0 is refused (exit 2)', async (flag) => {
    const { code, stderr } = await live(['--udp', '127.0.0.1:0', '--out', path.join(dir, 'o2'), flag, '0']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`aipref-enforcer live: ${flag} takes a whole number of at least 1, not 0`);
  });

  it('--nats-max-age bogus is refused (exit 2) even without --nats', async () => {
    const { code, stderr } = await live(['--udp', '127.0.0.1:0', '--out', path.join(dir, 'o3'), '--nats-max-age', 'bogus']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toContain(`'bogus'`);
  });

  it('a bad value in the --config file names the file and the key', async () => {
    const config = path.join(dir, 'live.json');
    await writeFile(config, JSON.stringify({ udp: '127.0.0.1:0', out: path.join(dir, 'o4'), window: 'bogus' }));
    const { code, stderr } = await live(['--config', config]);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const first = stderr.split('\n')[0]!;
    expect(first).toContain(config);
    expect(first).toContain('window');
    expect(first).toContain('bogus');
  });

  it('an unreachable --nats server at start: one line naming --nats and the server', async () => {
    const { code, stderr } = await live(['--udp', '127.0.0.1:0', '--out', path.join(dir, 'o5'), '--nats', 'nats://127.0.0.1:1']);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('--nats nats://127.0.0.1:1');
  });
});
