/**
 * What a review of the command line's contract for bad input and usage (SPEC §8 exit codes, the
 * project rule "Bad input gets a clear one-line error naming the file, the offset or frame and what
 * was wrong, and loses nothing that was already accepted") found to hold. Regression tests; the
 * cases test/e2e/cli.test.ts, test/cli/readme-review and test/e2e/capture-inputs already check
 * (a missing file, an empty file, a cut pcap header, a folder, pcapng broken mid-file, gzip) are
 * not repeated.
 */
import { createSocket, type Socket } from 'node:dgram';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenSample, cutSample, run, shell, BIN, SMALL_PCAP, SMALL_POLICY } from './bad-input-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-bad-input-ok-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const exists = (p: string) => access(p).then(() => true, () => false);
const lines = (text: string) => text.trim().split('\n');

describe('files that are no capture: exit 1, one line naming the file and byte, nothing made', () => {
  it.each([
    ['3 bytes of text', Buffer.from('abc'), 0],
    ['100 bytes of no known magic', Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff)), 0],
    // an interface description block (type 1) where the section header should be
    ['a pcapng-like file whose first block is not a section header', Buffer.from([1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0, 0, 20, 0, 0, 0]), 0],
  ])('%s', async (_what, bytes, offset) => {
    const file = path.join(dir, `not-${bytes.length}-${bytes[0]}.bin`);
    await writeFile(file, bytes);
    for (const command of ['replay', 'inspect', 'bindings']) {
      const out = path.join(dir, `out-not-${command}-${bytes.length}`);
      const r = await run([command, file, ...(command === 'replay' ? ['--out', out, '--workers', '0'] : [])]);
      expect(r.code, command).toBe(1);
      expect(r.stdout, command).toBe('');
      const [line, ...more] = lines(r.stderr);
      expect(more, command).toEqual([]);
      expect(line, command).toMatch(new RegExp(`^aipref-enforcer ${command}: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: at byte ${offset}: (not a pcap or pcapng capture|truncated file header)`));
      expect(await exists(out), command).toBe(false);
    }
  });

  it('a pcapng section header with a bad byte-order magic: at byte 8, naming the magic', async () => {
    const shb = Buffer.alloc(28);
    shb.writeUInt32LE(0x0a0d0d0a, 0);
    shb.writeUInt32LE(28, 4);
    shb.writeUInt32LE(0x11111111, 8);
    shb.writeUInt32LE(28, 24);
    const file = path.join(dir, 'bad-bom.pcapng');
    await writeFile(file, shb);
    const r = await run(['inspect', file]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer inspect: ${file}: at byte 8: bad byte-order magic 0x11111111`]);
  });
});

describe('bad usage: exit 2, the first line names the option and the value', () => {
  it.each([['--workers=-1', "'-1'"], ['--workers=1.5', "'1.5'"], ['--workers=257', "'257'"], ['--workers=', "''"], ['--window=-5s', "'-5s'"], ['--window=10x', "'10x'"], ['--window=1.5s', "'1.5s'"], ['--window=0s', "'0s'"]])(
    'replay %s',
    async (option, value) => {
      const out = path.join(dir, 'never');
      const r = await run(['replay', SMALL_PCAP, '--out', out, option]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const first = lines(r.stderr)[0]!;
      expect(first).toContain(option.slice(0, option.indexOf('=')));
      expect(first).toContain(value);
      expect(lines(r.stderr)[1]).toBe('usage:');
      expect(await exists(out)).toBe(false);
    },
  );

  it('--workers=0002 is the whole number 2, not bad usage', async () => {
    const r = await run(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', path.join(dir, 'w0002'), '--workers=0002', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).packets).toBe(440);
  });

  it('an option a command does not take, a boolean given a value, a capture after --: exit 2 in one line before the usage', async () => {
    for (const args of [
      ['bindings', SMALL_PCAP, '--out', 'x'],
      ['replay', SMALL_PCAP, '--json=1'],
      ['replay', SMALL_PCAP, '--', '--out'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(lines(r.stderr)[1], args.join(' ')).toBe('usage:');
    }
  });

  it('no command: the usage on stderr, exit 2; --help: on stdout, exit 0', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(lines(none.stderr)[0]).toBe('usage:');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(lines(help.stdout)[0]).toBe('usage:');
  });
});

describe('a pcap cut inside a record after 220 good ones', () => {
  it('cut in the data: exit 0 from all three commands, one stderr line with the offset; replay --json stdout is one JSON object; the cut is reported', async () => {
    const file = path.join(dir, 'cut-data.pcap');
    const { offset } = await cutSample(file, 220, 30);
    const policy = path.join(dir, 'warn.json');
    // a policy with a warning too: stdout stays the one summary
    await writeFile(policy, JSON.stringify({ default: 'apt-nowhere' }));
    const out = path.join(dir, 'out-cut-data');
    const r = await run(['replay', file, '--policy', policy, '--out', out, '--json', '--workers', '2']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    const summary = JSON.parse(r.stdout);
    expect(summary.packets).toBe(220);
    expect(summary.malformed).toBe(1);
    // the cut's line and the policy's warning (printed once the run is accepted: its first output made)
    expect(lines(r.stderr)).toHaveLength(2);
    expect(lines(r.stderr)).toContain(`aipref-enforcer replay: ${file}: at byte ${offset}: record cut short: 14 of 354 data bytes`);
    const reports = lines(await readFile(path.join(out, 'reports.ndjson'), 'utf8')).map((l) => JSON.parse(l));
    expect(reports.at(-1)).toMatchObject({ type: 'malformed-input', frame: 221, detail: `record cut short: 14 of 354 data bytes (byte ${offset})` });
    for (const command of ['inspect', 'bindings']) {
      const c = await run([command, file, '--json']);
      expect(c.code, command).toBe(0);
      expect(lines(c.stderr), command).toEqual([`aipref-enforcer ${command}: ${file}: at byte ${offset}: record cut short: 14 of 354 data bytes`]);
    }
  });

  it('the exports and reports before the cut are those of the 220 records alone (plus the cut report)', async () => {
    const file = path.join(dir, 'cut-head.pcap');
    const whole = path.join(dir, 'exact.pcap');
    const { offset } = await cutSample(file, 220, 10);
    await writeFile(whole, (await readFile(SMALL_PCAP)).subarray(0, offset));
    const a = path.join(dir, 'out-cut-head');
    const b = path.join(dir, 'out-exact');
    expect((await run(['replay', file, '--policy', SMALL_POLICY, '--out', a, '--quiet'])).code).toBe(0);
    expect((await run(['replay', whole, '--policy', SMALL_POLICY, '--out', b, '--quiet'])).code).toBe(0);
    expect(await readFile(path.join(a, 'exports.ndjson'), 'utf8')).toBe(await readFile(path.join(b, 'exports.ndjson'), 'utf8'));
    const ra = lines(await readFile(path.join(a, 'reports.ndjson'), 'utf8'));
    expect(ra.slice(0, -1)).toEqual(lines(await readFile(path.join(b, 'reports.ndjson'), 'utf8')));
    expect(JSON.parse(ra.at(-1)!)).toMatchObject({ type: 'malformed-input', detail: `record cut short: 10 of 16 header bytes (byte ${offset})` });
  });
});

describe('a pcap broken mid-file (absurd record length)', () => {
  it('replay: the summary of the 220 records on stdout (valid JSON), one stderr line with the offset, exit 1; the same files with 0 and 2 workers and through a pipe', async () => {
    const file = path.join(dir, 'broken.pcap');
    const offset = await brokenSample(file, 220);
    const files: string[][] = [];
    for (const workers of ['0', '2']) {
      const out = path.join(dir, `out-broken-${workers}`);
      const r = await run(['replay', file, '--policy', SMALL_POLICY, '--out', out, '--json', '--workers', workers]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).packets).toBe(220);
      expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: ${file}: at byte ${offset}: absurd record length 2147483647 (limit 262144)`]);
      files.push([await readFile(path.join(out, 'exports.ndjson'), 'utf8'), await readFile(path.join(out, 'reports.ndjson'), 'utf8')]);
    }
    const piped = path.join(dir, 'out-broken-pipe');
    const p = await shell(`cat '${file}' | '${process.execPath}' '${BIN}' replay /dev/stdin --policy '${SMALL_POLICY}' --out '${piped}' --quiet --workers 2`);
    expect(p.code).toBe(1);
    expect(lines(p.stderr)).toEqual([`aipref-enforcer replay: /dev/stdin: at byte ${offset}: absurd record length 2147483647 (limit 262144)`]);
    files.push([await readFile(path.join(piped, 'exports.ndjson'), 'utf8'), await readFile(path.join(piped, 'reports.ndjson'), 'utf8')]);
    expect(files[1]).toEqual(files[0]);
    expect(files[2]).toEqual(files[0]);
    expect(lines(files[0]![0]!).length).toBeGreaterThan(0);
  });

  it('inspect: the 220 lines, then the one error line, exit 1', async () => {
    const file = path.join(dir, 'broken-i.pcap');
    const offset = await brokenSample(file, 220);
    const r = await run(['inspect', file, '--json']);
    expect(r.code).toBe(1);
    const out = lines(r.stdout).map((l) => JSON.parse(l));
    expect(out).toHaveLength(220);
    expect(out.at(-1).frame).toBe(220);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer inspect: ${file}: at byte ${offset}: absurd record length 2147483647 (limit 262144)`]);
  });
});

describe('--out in the way', () => {
  it('--out naming a file: exit 1, one line, before reading', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'x');
    const r = await run(['replay', SMALL_PCAP, '--out', blocker]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: --out ${blocker}: it is not a folder`]);
    expect(await readFile(blocker, 'utf8')).toBe('x');
  });

  it('--out whose exports.ndjson is a folder: exit 1, one line naming it', async () => {
    const out = path.join(dir, 'taken-out');
    await mkdir(path.join(out, 'exports.ndjson'), { recursive: true });
    const r = await run(['replay', SMALL_PCAP, '--out', out, '--workers', '0']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(lines(r.stderr)[0]).toContain(path.join(out, 'exports.ndjson'));
  });
});

describe('stdout closed early', () => {
  it('inspect | head -1: exit 0, no stack on stderr', async () => {
    const r = await shell(`{ '${process.execPath}' '${BIN}' inspect '${SMALL_PCAP}' --json 2>'${dir}/epipe.err'; echo $? >'${dir}/epipe.rc'; } | head -1 >/dev/null`);
    expect(r.code).toBe(0);
    expect((await readFile(path.join(dir, 'epipe.rc'), 'utf8')).trim()).toBe('0');
    const err = await readFile(path.join(dir, 'epipe.err'), 'utf8');
    expect(err).not.toMatch(/EPIPE|at .*\(.*:\d+:\d+\)/);
  });
});

describe('live on an address in use', () => {
  let held: Socket;
  let port: number;
  beforeAll(async () => {
    held = createSocket('udp4');
    await new Promise<void>((resolve) => held.bind(0, '127.0.0.1', resolve));
    port = held.address().port;
  });
  afterAll(() => held?.close());

  it('--udp: exit 1, one line naming the address', async () => {
    const r = await run(['live', '--udp', `127.0.0.1:${port}`, '--out', path.join(dir, 'live-out')], { timeoutMs: 8000 });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(lines(r.stderr)[0]).toContain(`EADDRINUSE 127.0.0.1:${port}`);
  }, 15_000);
});
