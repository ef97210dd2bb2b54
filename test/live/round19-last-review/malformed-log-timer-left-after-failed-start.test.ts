/**
 * Found by a review of the round's last fixes, fixed since: a start refused at its outputs closes the malformed log too (src/cli/live.ts startLive).
 */
/**
 * Input: startLive with `--udp 127.0.0.1:0 --out <a path under a regular file>` (the outputs'
 *   folder cannot be made: the exporters' step fails, before any listener), the malformed-log
 *   interval set to 4321 ms (LiveInternals) to tell its timer apart.
 * Was (observed): startLive rejects (ENOTDIR), but the malformed-datagram log's setInterval,
 *   made by malformedLog() before the exporters are opened, is never cleared: only the
 *   listeners' catch calls malformedLogged.close(), the exporters' catch does not. The timer is
 *   unref'd (the process still exits), so the cost is small: a no-op tell() every interval, and
 *   the log function and maps kept alive, for every failed start in a process that goes on (an
 *   embedding, a test run, a supervisor in-process).
 * Correct: a start that fails leaves nothing running (as the listeners' and exporters' own
 *   catches intend: "closes those already bound").
 * Fix: src/cli/live.ts startLive: create malformedLog after the exporters are open (it is first
 *   needed by the listeners), or call malformedLogged.close() in the exporters' catch too.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { startLive } from '../../../src/cli/live.js';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';

const dirs: string[] = [];
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('a start refused at its outputs leaves no malformed-log timer running', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'r19-timer-'));
  dirs.push(dir);
  const file = path.join(dir, 'a-file');
  await writeFile(file, 'not a folder\n');
  const opts = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--out', path.join(file, 'out'), '--workers', '0', '--quiet']);
  const made: unknown[] = [];
  const cleared = new Set<unknown>();
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms?: number) => {
    const t = realSet(fn, ms);
    if (ms === 4321) made.push(t);
    return t;
  }) as typeof setInterval);
  vi.spyOn(globalThis, 'clearInterval').mockImplementation(((t?: Parameters<typeof clearInterval>[0]) => {
    cleared.add(t);
    realClear(t);
  }) as typeof clearInterval);
  const err = await startLive({ ...opts, log: () => undefined }, { malformedLogIntervalMs: 4321 }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  const left = made.filter((t) => !cleared.has(t));
  for (const t of left) realClear(t as Parameters<typeof clearInterval>[0]);
  expect(left.length, 'malformed-log timers still running after the failed start').toBe(0);
});
