/**
 * `--version` (and `-V`, `version`) prints the package's version, exit 0 — what an operator
 * checks first after an upgrade; it was an unknown command (exit 2). `live` names its version in
 * its `start` log line, so a log shows which build made the lines after it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli } from '../e2e/e2e-helpers.js';
import { packageVersion } from '../../src/cli/version.js';

const VERSION = (JSON.parse(readFileSync(path.resolve(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;

describe('--version', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints `aipref-enforcer <version>` on stdout, exit 0', async (flag) => {
    const r = await cli(flag);
    expect(r).toEqual({ code: 0, stdout: `aipref-enforcer ${VERSION}\n`, stderr: '' });
  });

  it.each([['live'], ['replay'], ['inspect'], ['bindings']])('`%s --version` too, as `<command> --help` is the usage', async (command) => {
    const r = await cli(command, '--version');
    expect(r).toEqual({ code: 0, stdout: `aipref-enforcer ${VERSION}\n`, stderr: '' });
  });

  it('is found from the sources too (the tests run them)', () => {
    expect(packageVersion()).toBe(VERSION);
  });

  it("is in live's start line", async () => {
    const child = spawn(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--workers', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const started = new Promise<void>((resolve) =>
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('"event":"start"')) resolve();
      }),
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await Promise.race([started, exited]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const start = stderr.split('\n').find((l) => l.includes('"event":"start"'));
    expect(start, stderr).toBeDefined();
    expect(JSON.parse(start!)).toMatchObject({ event: 'start', version: VERSION });
  });
});
