/**
 * What this folder's tests share: whether interface capture can run here (root, the optional
 * native `pcap` package), a free UDP port, a live child whose stderr can be held unread, and
 * waiting for an exit with a generous bound (a result, never a timing assertion).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { REPO } from '../live-helpers.js';

export const BIN = path.join(REPO, 'bin/aipref-enforcer.js');

export async function canCapture(): Promise<boolean> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    const specifier = 'pcap';
    const mod = (await import(specifier)) as { default?: { createSession?: unknown }; createSession?: unknown };
    return typeof (mod.default ?? mod).createSession === 'function';
  } catch {
    return false;
  }
}

/** A UDP port nobody listens on right now. */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** The child's exit, or 'still running' after `ms` (a bound far above what a correct run needs). */
export function exitWithin(child: ChildProcess, ms: number): Promise<Exit | 'still running'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still running'), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** `live …` as a child, stderr piped; lines parsed as they come while `reading`. */
export function spawnLive(args: string[]): { child: ChildProcess; text: () => string; waitLine: (test: (l: Record<string, unknown>) => boolean, ms: number) => Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, [BIN, 'live', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let all = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    all += c;
  });
  const lines = () =>
    all
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  const waitLine = async (test: (l: Record<string, unknown>) => boolean, ms: number) => {
    const until = Date.now() + ms;
    for (;;) {
      const found = lines().find(test);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no such line within ${ms} ms: ${all}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        await new Promise((r) => setTimeout(r, 100));
        const late = lines().find(test);
        if (late) return late;
        throw new Error(`live ended (${child.exitCode ?? child.signalCode}) without such a line: ${all}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, text: () => all, waitLine };
}
