/** Shared bits of this review's tests (round 20, review of 0330ccc's fixes). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const SMALL_PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
export const SMALL_POLICY = path.resolve(process.cwd(), 'samples/policy.json');

/** The CLI, run to its end (a generous bound: the machine is shared). */
export const cli = (args: string[], opts: { timeout?: number } = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: opts.timeout ?? 120_000 });

/** Waits (polling, up to `maxMs`) until `pred` holds; false if it never did. */
export async function until(pred: () => Promise<boolean> | boolean, maxMs: number): Promise<boolean> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    if (await pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export interface Running {
  child: ChildProcess;
  err: () => string;
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

export function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (err += c));
  child.once('exit', (code, signal) => (exit = { code, signal }));
  return { child, err: () => err, exited: () => exit };
}

/**
 * `live --hep 127.0.0.1:0 …args`, fed the small capture once it has started (replay --to hep://),
 * until `done(stderr)` holds (or 60 s); then SIGTERM. Returns live's whole stderr.
 */
export async function liveFed(args: string[], done: (err: string) => boolean): Promise<string> {
  const live = start(['live', '--hep', '127.0.0.1:0', '--policy', SMALL_POLICY, ...args]);
  try {
    if (!(await until(() => /"event":"start"/.test(live.err()) || live.exited() !== undefined, 90_000))) throw new Error(`live did not start: ${live.err()}`);
    if (live.exited() !== undefined) return live.err();
    const port = /"hep":\{"udp":\{"host":"[^"]*","port":(\d+)/.exec(live.err())![1];
    const sent = spawnSync(process.execPath, [BIN, 'replay', SMALL_PCAP, '--to', `hep://127.0.0.1:${port}`, '--speed', '0'], { encoding: 'utf8', timeout: 120_000 });
    if (sent.status !== 0) throw new Error(`replay --to: ${sent.stderr}`);
    await until(() => done(live.err()), 60_000);
    live.child.kill('SIGTERM');
    await until(() => live.exited() !== undefined, 60_000);
    return live.err();
  } finally {
    if (live.exited() === undefined) live.child.kill('SIGKILL');
  }
}
