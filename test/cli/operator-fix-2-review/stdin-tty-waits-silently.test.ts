/**
 * Found by a review of standard input and output-file errors (185a36b), fixed since: standard input at a terminal is refused at once in one line, exit 2 (native-free/capture.ts terminalStdinRefusal, called by src/cli/replay.ts runReplay, src/cli/inspect.ts runInspect, src/cli/bindings.ts runBindings).
 */
/**
 * Input: `aipref-enforcer replay -` (or `inspect -`) typed at a terminal, the pipe forgotten:
 *   stdin is a TTY (here a pty made by script(1), its input left open).
 * Was: nothing on the terminal, no exit: the run waits for a binary capture to be typed
 *   (killed after 5 s here), nothing saying what it waits for (--quiet or not: replay's progress
 *   line has nothing to show).
 * Correct: a capture never comes from a keyboard: one line naming stdin and saying it is a
 *   terminal, at once, exit 1 (or 2, a usage error) — as tshark -r - does at a terminal
 *   ("The standard input is a \"special file\" …", exit 2), and as gzip -d refuses a terminal
 *   ("compressed data not read from a terminal"). SPEC §8: one clear line naming the input.
 * Fix: native-free/capture.ts statCapture (STDIN_CAPTURE) — or runReplay/runInspect/runBindings
 *   and sendCapture — refuse fd 0 when tty.isatty(0): `stdin: at byte 0: is a terminal: pipe
 *   or redirect a capture into it (… | aipref-enforcer replay -)`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from './stdin-helpers.js';

/** `cmd` run by script(1) on a new pty whose input (script's stdin) stays open; killed after `ms`. */
function onTerminal(args: string[], ms: number): Promise<{ code: number | null; out: string; killed: boolean }> {
  const line = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', line, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let killed = false;
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const killer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (code) => {
      clearTimeout(killer);
      child.stdin!.destroy();
      resolve({ code, out, killed });
    });
  });
}

describe.skipIf(!existsSync('/usr/bin/script'))('`-` when stdin is a terminal', () => {
  for (const args of [['replay', '-', '--out', path.join(tmpdir(), `aipref-tty-out-${process.pid}`), '--quiet'], ['inspect', '-']]) {
    it(`${args[0]} -: one line saying stdin is a terminal, at once`, async () => {
      const r = await onTerminal(args, 5_000);
      expect(r.killed, `still waiting after 5 s; terminal showed ${JSON.stringify(r.out)}`).toBe(false);
      expect(r.out).toMatch(new RegExp(`aipref-enforcer ${args[0]}: stdin\\b.*terminal`));
      expect([1, 2]).toContain(r.code);
    });
  }
});
