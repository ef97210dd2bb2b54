/**
 * The live service as a child process (`node bin/aipref-enforcer.js live …` on loopback
 * ephemeral ports), its JSON log lines, the CLI's offline replay and `replay --to` as
 * children, and the NDJSON outputs read back for comparison.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin/aipref-enforcer.js');

/** `npm test` builds first; a bare `vitest run` gets the build here. */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(path.join(REPO, 'dist/src/cli/live.js'))) return;
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO });
}

export interface LogLine {
  event: string;
  level: string;
  [key: string]: unknown;
}

export interface Addresses {
  udp?: { host: string; port: number };
  hep?: { udp: { host: string; port: number }; tcp: { host: string; port: number } };
  metrics?: { host: string; port: number };
}

export class LiveChild {
  readonly logs: LogLine[] = [];
  private waiters: { test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<number | null>;
  stderrText = '';

  private constructor(readonly child: ChildProcess) {
    let buffered = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderrText += chunk;
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          continue;
        }
        this.logs.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static async start(args: string[]): Promise<{ live: LiveChild; addresses: Addresses }> {
    const child = spawn(process.execPath, [BIN, 'live', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    const live = new LiveChild(child);
    const start = await Promise.race([
      live.waitFor((l) => l.event === 'start', 15_000),
      live.exited.then((code) => {
        throw new Error(`live exited with ${code} before starting: ${live.stderrText}`);
      }),
    ]);
    return { live, addresses: start.addresses as Addresses };
  }

  /** The first log line (already seen or to come) that passes `test`. */
  waitFor(test: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.logs.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such log line within ${timeoutMs} ms; logs: ${this.stderrText}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** SIGTERM, then the exit code (killed after `timeoutMs`). */
  async terminate(timeoutMs = 15_000): Promise<number | null> {
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export async function cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [BIN, ...args], { cwd: REPO, maxBuffer: 64 << 20 });
}

/** Every line of `<dir>/<base>.ndjson` (offline) or of the rotated `<dir>/<base>.NNNNNN.ndjson` files, in order. */
export async function readLines(dir: string, base: string): Promise<Record<string, unknown>[]> {
  const names = (await readdir(dir)).filter((n) => n === `${base}.ndjson` || new RegExp(`^${base}\\.\\d{6}\\.ndjson$`).test(n)).sort();
  const lines: Record<string, unknown>[] = [];
  for (const n of names) {
    for (const text of (await readFile(path.join(dir, n), 'utf8')).split('\n')) if (text !== '') lines.push(JSON.parse(text) as Record<string, unknown>);
  }
  return lines;
}

/** A copy of each line without the given fields ("a.b" for a nested one). */
export function without(lines: Record<string, unknown>[], fields: string[]): Record<string, unknown>[] {
  return lines.map((line) => {
    const copy = structuredClone(line);
    for (const f of fields) {
      const [head, tail] = f.split('.') as [string, string | undefined];
      if (tail === undefined) delete copy[head];
      else if (typeof copy[head] === 'object' && copy[head] !== null) delete (copy[head] as Record<string, unknown>)[tail];
    }
    return copy;
  });
}
