/** Shared bits of this review's tests. */
import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const SMALL_PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
export const SMALL_POLICY = path.resolve(process.cwd(), 'samples/policy.json');

export const cli = (args: string[], timeout = 60_000) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout });

/** A child process's threads' kernel wait channels (Linux /proc), '' for those not readable. */
export async function wchans(pid: number): Promise<string[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  return Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/wchan`, 'utf8').catch(() => '')));
}

/** Waits (polling, up to `maxMs`) until `pred` holds; false if it never did. */
export async function until(pred: () => Promise<boolean> | boolean, maxMs: number): Promise<boolean> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    if (await pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export { spawn };
