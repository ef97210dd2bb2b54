/**
 * Found by a review of this session's fixes (round 20), fixed since: a FIFO replay may not read is waited for by non-blocking write opens every 100 ms, which an interrupt stops (src/cli/replay.ts openFifo).
 *
 * Input: `aipref-enforcer replay samples/call-small.pcap --out <dir>`, where <dir>/exports.ndjson
 *   is a FIFO the enforcer's user may write but not read (mode 0222 here; in practice a FIFO the
 *   consumer's user owns with mode 0620, the enforcer in its group: the usual way to let a
 *   service feed another one), no reader yet; once "waiting for a reader (a FIFO)" is said,
 *   SIGINT. (As root the replay runs as uid/gid 65534 through setpriv, since root reads anything.)
 * Was (observed): the line "waiting for a reader" and then nothing: the SIGINT does not end the
 *   wait, the process stays (openFifo's onAbort opens the FIFO O_RDONLY|O_NONBLOCK to release
 *   the blocked open; that open fails with EACCES, is caught as null, and the O_WRONLY open
 *   blocked in the thread pool never returns). A second SIGINT then kills the process by the
 *   signal (the once-listener is gone), leaving reports.ndjson, which the pre-check made, behind.
 * Correct: README replay: "A FIFO in an output file's place waits for its reader …; SIGINT/SIGTERM
 *   end that wait too (exit 130, one line, no output written)" — whatever the FIFO's mode; a
 *   systemd stop (SIGTERM) must not wait for the 90 s SIGKILL.
 * Fix: src/cli/replay.ts openFifo: do not depend on reading the FIFO — e.g. wait by polling an
 *   open(O_WRONLY|O_NONBLOCK) (ENXIO while no reader; nothing blocks a pool thread, the signal just
 *   stops the polling), then open it blocking (returns at once) before closing the probe's fd; or,
 *   when the own reader cannot be opened, reject with OutputsInterrupted and leave by process.exit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, SMALL_PCAP, until } from './helpers.js';

const root = process.getuid?.() === 0;
const setpriv = root && spawnSync('setpriv', ['--version']).status === 0;
const usable = process.platform === 'linux' && spawnSync('mkfifo', ['--version']).status === 0 && (!root || setpriv);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20fix-wofifo-'));
  await chmod(dir, 0o777);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it.skipIf(!usable)('a FIFO it may write but not read: SIGINT ends the wait (exit 130, nothing of the run left)', async () => {
  const out = path.join(dir, 'out');
  spawnSync('mkdir', ['-m', '0777', out]);
  expect(spawnSync('mkfifo', ['-m', '0222', path.join(out, 'exports.ndjson')]).status).toBe(0);
  await chmod(path.join(out, 'exports.ndjson'), 0o222);
  const argv = [BIN, 'replay', SMALL_PCAP, '--out', out, '--workers', '0'];
  const child = root
    ? spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (err += c));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.once('exit', (code, signal) => (exit = { code, signal }));
  try {
    expect(await until(() => err.includes('waiting for a reader'), 90_000)).toBe(true);
    child.kill('SIGINT');
    // far above what ending the wait takes; a correct run ends at once
    await until(() => exit !== undefined, 60_000);
    expect(exit ?? 'still running 60 s after SIGINT').toEqual({ code: 130, signal: null });
    expect(existsSync(path.join(out, 'reports.ndjson'))).toBe(false);
  } finally {
    if (exit === undefined) child.kill('SIGKILL');
  }
}, 240_000);
