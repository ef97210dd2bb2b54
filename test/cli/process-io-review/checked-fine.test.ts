/**
 * Process-level checks of the CLI that came out fine (SPEC §8, README "Commands" and "Exit
 * codes"), beyond what test/cli/*.test.ts and the other *-review folders already cover.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../../samples/generator/generate-capture.js';
import { USAGE } from '../../../src/cli/usage.js';
import { run } from '../bad-input-review/bad-input-helpers.js';
import { BIN, makeFifo, runFedSlowly, SMALL_PCAP, SMALL_POLICY } from './process-helpers.js';

let dir: string;
let capture: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-proc-fine-'));
  const file = path.join(dir, 'call.pcap');
  await generateCapture({ calls: 2, durationSec: 60, seed: 3 }, file);
  capture = new Uint8Array(await readFile(file));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const wholeNdjson = (text: string) => {
  expect(text === '' || text.endsWith('\n')).toBe(true);
  for (const l of text.split('\n').slice(0, -1)) JSON.parse(l);
};

/** the CLI with stdout/stderr as given fds or pipes; resolves on exit */
function spawnCli(args: string[], stdio: ('pipe' | 'ignore' | number)[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: stdio as never });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('signals during a replay', () => {
  it('SIGINT mid-run (capture through a FIFO): exit 130, the text summary ends "— interrupted", every file whole lines', async () => {
    const fifo = makeFifo(path.join(dir, 'int.fifo'));
    const out = path.join(dir, 'int-out');
    const r = await runFedSlowly(['replay', fifo, '--out', out, '--policy', SMALL_POLICY, '--explain', '--workers', '2'], fifo, capture, {
      signals: { whenExists: path.join(out, 'reports.ndjson'), afterMs: 1500, send: ['SIGINT'] },
    });
    expect(r.code).toBe(130);
    expect(r.stdout.trimEnd().endsWith('— interrupted')).toBe(true);
    for (const f of ['exports', 'reports', 'decisions']) wholeNdjson(await readFile(path.join(out, `${f}.ndjson`), 'utf8'));
  }, 60_000);

  it('a second SIGINT while the first waits for a writer that never ends: stops at once (README)', async () => {
    const fifo = makeFifo(path.join(dir, 'twice.fifo'));
    const small = new Uint8Array(await readFile(SMALL_PCAP));
    const r = await runFedSlowly(['replay', fifo, '--out', path.join(dir, 'twice-out'), '--quiet'], fifo, small, {
      holdOpen: true,
      signals: { whenExists: fifo, afterMs: 800, send: ['SIGINT', 'SIGINT'], gapMs: 700 },
      timeoutMs: 10_000,
    });
    expect(r.signal === 'SIGINT' || r.code === 130).toBe(true);
    expect(r.ms).toBeLessThan(5000);
  }, 20_000);
});

describe('stdin and stdout', () => {
  it('/dev/stdin redirected from a file (`< call.pcap`): the same bytes as from the file', async () => {
    const ref = await run(['inspect', SMALL_PCAP, '--json']);
    const fh = await open(SMALL_PCAP, 'r');
    try {
      const r = await spawnCli(['inspect', '/dev/stdin', '--json'], [fh.fd, 'pipe', 'pipe']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(ref.stdout);
    } finally {
      await fh.close();
    }
  });

  it('replay --json with a stdout reader gone before the summary: exit 0, no stack, the files those of a normal run', async () => {
    const refOut = path.join(dir, 'epipe-ref');
    const goneOut = path.join(dir, 'epipe-gone');
    await run(['replay', SMALL_PCAP, '--out', refOut, '--json', '--workers', '0']);
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'replay', SMALL_PCAP, '--out', goneOut, '--json', '--workers', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r).toEqual({ code: 0, stderr: '' });
    for (const f of ['exports', 'reports']) expect(await readFile(path.join(goneOut, `${f}.ndjson`), 'utf8')).toBe(await readFile(path.join(refOut, `${f}.ndjson`), 'utf8'));
  });

  it('bindings and bindings --json with a stdout reader gone at once: exit 0, nothing on stderr', async () => {
    for (const extra of [[], ['--json']]) {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'bindings', SMALL_PCAP, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r).toEqual({ code: 0, stderr: '' });
    }
  });
});

describe('capture paths', () => {
  it('spaces and non-ASCII in the name: read as usual; an error names the path as given', async () => {
    const odd = path.join(dir, 'a call é 日本.pcap');
    await copyFile(SMALL_PCAP, odd);
    const ok = await run(['replay', odd, '--out', path.join(dir, 'odd out ü'), '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).packets).toBe(440);
    const bad = path.join(dir, 'not a capture ü.pcap');
    await writeFile(bad, 'plain text\n');
    for (const command of ['replay', 'inspect', 'bindings']) {
      const r = await run([command, bad, ...(command === 'replay' ? ['--out', path.join(dir, 'never')] : [])]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`aipref-enforcer ${command}: ${bad}: at byte 0: not a pcap or pcapng capture (starts with 0x706c6169)\n`);
    }
  });

  it('a file without read permission: not testable here (root reads a mode-000 file)', () => {
    expect(process.getuid?.()).toBe(0);
  });
});

describe('--out that cannot become a folder', () => {
  it('a parent that is a file, a folder /sys will not make: exit 1, one line naming --out, nothing read', async () => {
    const file = path.join(dir, 'plain-file');
    await writeFile(file, 'x');
    const cases: [string, RegExp][] = [
      [path.join(file, 'sub'), /^aipref-enforcer replay: --out .*plain-file\/sub: .*plain-file is not a folder\n$/],
      ['/sys/aipref-out-review', /^aipref-enforcer replay: --out \/sys\/aipref-out-review: cannot be made \(EPERM at \/sys\/aipref-out-review\)\n$/],
    ];
    for (const [out, line] of cases) {
      const r = await run(['replay', SMALL_PCAP, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(line);
    }
  });
});

describe('exit codes by class (SPEC §8, README)', () => {
  it('bad input 1, bad usage 2, help 0', async () => {
    const badJson = path.join(dir, 'bad.json');
    await writeFile(badJson, '{bad');
    const out = ['--out', path.join(dir, 'codes')];
    const cases: [string[], number][] = [
      [['replay', SMALL_PCAP, ...out, '--policy', path.join(dir, 'missing.json')], 1],
      [['replay', SMALL_PCAP, ...out, '--policy', badJson], 1],
      [['bindings', SMALL_PCAP, '--policy', badJson], 1],
      [['live', '--config', path.join(dir, 'missing.json')], 1],
      [['replay', SMALL_PCAP, ...out, '--workers', 'x'], 2],
      [['replay', SMALL_PCAP, ...out, '--window', '0'], 2],
      [['replay', SMALL_PCAP, ...out, 'extra'], 2],
      [['replay', SMALL_PCAP, '--json=1'], 2],
      [['replay', SMALL_PCAP, ...out, '--to', 'udp://127.0.0.1:9'], 2],
      [['replay'], 2],
      [['live'], 2],
      [['live', '--udp', '127.0.0.1:99999'], 2],
      [['frobnicate'], 2],
      [['--version'], 0],
      [['-h'], 0],
      [['help'], 0],
      [['inspect', '--help'], 0],
    ];
    for (const [args, code] of cases) {
      const r = await run(args);
      expect({ args, code: r.code }).toEqual({ args, code });
      if (code !== 0) expect(r.stderr.split('\n')[0]).toMatch(/^aipref-enforcer( [a-z]+)?: \S/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('--help against the parsers', () => {
  /** the options a command's usage lines name */
  const usageOptions = (command: string) =>
    [...new Set(USAGE.split('\n').filter((l) => l.includes(`aipref-enforcer ${command} `)).flatMap((l) => [...l.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0])))];

  it('every option in the replay, inspect and bindings usage lines is one the command accepts (never "Unknown option")', async () => {
    for (const command of ['replay', 'inspect', 'bindings']) {
      const options = usageOptions(command);
      expect(options.length).toBeGreaterThan(0);
      for (const option of options) {
        // a value where the option takes one; the run may fail on it, but not as unknown
        const r = await run([command, path.join(dir, 'missing.pcap'), `${option}=x`]);
        const r2 = r.stderr.includes('does not take an argument') ? await run([command, path.join(dir, 'missing.pcap'), option]) : r;
        expect({ command, option, unknown: /Unknown option/.test(r2.stderr) }).toEqual({ command, option, unknown: false });
      }
    }
  });
});
