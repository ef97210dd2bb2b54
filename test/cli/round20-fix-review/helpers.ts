/** Shared bits of this review's tests (round 20, review of 7ed2e02's fixes). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const SMALL_PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
export const SMALL_POLICY = path.resolve(process.cwd(), 'samples/policy.json');

/** The CLI, run to its end (a generous bound: the machine is shared). */
export const cli = (args: string[], opts: { cwd?: string; timeout?: number } = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: opts.timeout ?? 120_000, ...(opts.cwd !== undefined && { cwd: opts.cwd }) });

/** Waits (polling, up to `maxMs`) until `pred` holds; false if it never did. */
export async function until(pred: () => Promise<boolean> | boolean, maxMs: number): Promise<boolean> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    if (await pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
