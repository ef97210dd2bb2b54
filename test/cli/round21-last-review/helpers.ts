/** Shared bits of this review's tests (round 21, review of 7b3f4d1 and b3f458a). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const SMALL_PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');

/** The CLI, run to its end (a generous bound: the machine is shared). */
export const cli = (args: string[], timeout = 120_000) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout });

/** replay's options, as src/cli/replay.ts runReplay gives them to parseCommandArgs. */
export { REPLAY_OPTIONS as REPLAY_SPEC } from '../../../src/cli/replay.js';

/** The message of the error `f` throws. */
export function lineOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('nothing thrown');
}
