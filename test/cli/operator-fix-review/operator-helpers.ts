/** The CLI run with its stdin of each kind an operator's shell or a supervisor gives it. */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { BIN, type Outcome } from '../bad-input-review/bad-input-helpers.js';

export { BIN, SMALL_PCAP, SMALL_POLICY, run, shell, brokenSample, type Outcome } from '../bad-input-review/bad-input-helpers.js';

/**
 * `aipref-enforcer <args>` with stdin: 'socket' — Node's own child stdin (`stdio: 'pipe'`), a
 * socketpair on Linux, which /dev/stdin cannot open (ENXIO); 'pipe' — a shell pipe (`cat f |`);
 * 'file' — a redirection (`< f`), the file's bytes; 'empty' — a socket ended at once.
 */
export async function runWithStdin(args: readonly string[], kind: 'socket' | 'pipe' | 'file', bytesOrFile: Uint8Array | string, opts: { cwd?: string } = {}): Promise<Outcome> {
  if (kind === 'pipe') {
    if (typeof bytesOrFile !== 'string') throw new Error('a pipe is fed from a file');
    const { shell } = await import('../bad-input-review/bad-input-helpers.js');
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return shell(`${opts.cwd !== undefined ? `cd '${opts.cwd}' && ` : ''}cat '${bytesOrFile}' | ${quoted}`);
  }
  const fh = kind === 'file' ? await open(bytesOrFile as string, 'r') : undefined;
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, stdio: [fh?.fd ?? 'pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(killer);
        resolve({ code, stdout, stderr });
      });
      if (child.stdin) {
        child.stdin.on('error', () => {});
        child.stdin.end(bytesOrFile as Uint8Array);
      }
    });
  } finally {
    await fh?.close();
  }
}

export const lines = (s: string) => s.split('\n').filter((l) => l !== '');
