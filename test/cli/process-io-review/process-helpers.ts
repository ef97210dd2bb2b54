/**
 * The CLI as an operator's shell runs it: a capture fed slowly through a FIFO (so a run lasts
 * long enough for progress lines and signals without a large file), a stderr reader that goes
 * away, signals sent once the outputs exist. (A FIFO, not the child's stdin: Node gives a child
 * a socket there, and /dev/stdin on a socket cannot be opened: ENXIO.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';

export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const SMALL_PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
export const SMALL_POLICY = path.resolve(process.cwd(), 'samples/policy.json');

export interface SlowRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** what stderr carried while it was read */
  stderr: string;
  /** ms from spawn to exit */
  ms: number;
}

export interface SlowRunOptions {
  /** bytes fed per tick */
  piece?: number;
  /** ms between pieces */
  tickMs?: number;
  /** stop reading stderr (destroy the pipe's reading end) after its first line */
  closeStderrAfterFirstLine?: boolean;
  /** once `whenExists` appears (polled every 10 ms), send these signals `gapMs` apart */
  signals?: { whenExists: string; afterMs: number; send: NodeJS.Signals[]; gapMs?: number };
  /** keep feeding forever after the capture (never close the FIFO): a writer that stays */
  holdOpen?: boolean;
  cwd?: string;
  timeoutMs?: number;
}

/** A new FIFO at `file`. */
export function makeFifo(file: string): string {
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo ${file}: ${String(r.stderr)}`);
  return file;
}

/** `aipref-enforcer <args>` with `capture`'s bytes trickled into the FIFO `fifo` (which args name). */
export function runFedSlowly(args: readonly string[], fifo: string, capture: Uint8Array, opts: SlowRunOptions = {}): Promise<SlowRun> {
  const piece = opts.piece ?? 512 * 1024;
  const tickMs = opts.tickMs ?? 250;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    let exited = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (opts.closeStderrAfterFirstLine && stderr.includes('\n')) child.stderr.destroy();
    });
    // opening for writing waits for the reader (the child) to open it
    const writer = open(fifo, 'w');
    let opened = false;
    void writer.then(() => (opened = true), () => {});
    let at = 0;
    let busy = false;
    let ended = false;
    const feeder = setInterval(() => {
      if (exited || busy || ended) return;
      busy = true;
      void writer
        .then(async (fh) => {
          if (at < capture.length) {
            await fh.write(capture.subarray(at, at + piece));
            at += piece;
          } else if (!opts.holdOpen) {
            ended = true;
            clearInterval(feeder);
            await fh.close();
          }
        })
        .catch(() => {}) // the reader went away (EPIPE): nothing more to feed
        .finally(() => (busy = false));
    }, tickMs);
    const timers: NodeJS.Timeout[] = [];
    let poll: NodeJS.Timeout | undefined;
    if (opts.signals) {
      const s = opts.signals;
      poll = setInterval(() => {
        if (!existsSync(s.whenExists)) return;
        clearInterval(poll);
        s.send.forEach((sig, i) => timers.push(setTimeout(() => !exited && child.kill(sig), s.afterMs + i * (s.gapMs ?? 0))));
      }, 10);
    }
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exited = true;
      clearInterval(feeder);
      clearInterval(poll);
      clearTimeout(killer);
      for (const t of timers) clearTimeout(t);
      // a child gone before it opened the FIFO: a reader of our own lets the pending open() return
      if (!opened) closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
      if (!ended) void writer.then((fh) => fh.close()).catch(() => {});
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}
