/**
 * Checked fine in commit 185a36b (`-` reads standard input; replay output-file errors; live
 * --spool checked as --out):
 * - `replay -` fed through a socket in small pieces of varying size, now and then paused, over a
 *   ~12 MB capture (three 4 MiB chunks), pcap and pcapng, --workers 0 and 2, --explain --json:
 *   summary, exports.ndjson, reports.ndjson, decisions.ndjson byte for byte the file's.
 * - inspect - / bindings - over the same (pcapng) in pieces: the file's lines.
 * - a capture whose last record is cut (pcap and pcapng), on stdin: the same warning line as the
 *   file's, naming stdin, at the same offset; the same outputs; exit 0.
 * - stdin /dev/null, stdin closed (`<&-`: Node reopens fd 0 on /dev/null): one line
 *   `stdin: at byte 0: empty file: not a capture`, exit 1, no output folder made.
 * - a capture broken mid-stream with a writer that keeps writing fast (`cat big | replay -`):
 *   the one line naming stdin and the file's offset, exit 1, at once; the writer gets SIGPIPE.
 * - SIGINT while a busy writer is still writing: exit 130 promptly, the summary printed.
 * - replay - --to udp://…: {sent, skipped} the file's.
 * - records of an unsupported link type on stdin: the warning names stdin (replay, inspect, bindings).
 * - the old file path after the read loop's restructuring: a regular file, a FIFO fed slowly,
 *   /dev/stdin on a shell pipe and on a redirection, a .gz file: the same outputs as the file.
 * - a .gz stream on a pipe is refused in one line naming stdin (as designed, exit 1).
 * - replay output files: reports.ndjson a folder → one line `<file>: cannot open: … (EISDIR)`,
 *   exit 1 (emptying the others is a defect, see replay-out-file-refused-empties-others).
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, breakRecord, lines, pcapToPcapng, repeatedCapture, runFedInPieces, SMALL_PCAP, SMALL_POLICY } from './stdin-helpers.js';

let dir: string;
const files: Record<'pcap' | 'pcapng', string> = { pcap: '', pcapng: '' };

function sh(line: string, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', line], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const cli = (...args: string[]) => [process.execPath, BIN, ...args].map(q).join(' ');

async function outputs(out: string): Promise<Record<string, string>> {
  const o: Record<string, string> = {};
  for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) o[f] = existsSync(path.join(out, f)) ? await readFile(path.join(out, f), 'utf8') : '(none)';
  return o;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-fix2-ok-'));
  const pcap = await repeatedCapture(12_000_000);
  files.pcap = path.join(dir, 'big.pcap');
  files.pcapng = path.join(dir, 'big.pcapng');
  await writeFile(files.pcap, pcap);
  await writeFile(files.pcapng, pcapToPcapng(pcap));
}, 60_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('`-` gives the file\'s outputs', () => {
  for (const format of ['pcap', 'pcapng'] as const) {
    for (const workers of ['0', '2']) {
      it(`${format}, --workers ${workers}, fed slowly in small pieces`, async () => {
        const common = ['--policy', SMALL_POLICY, '--workers', workers, '--explain', '--json', '--quiet'];
        const fromFile = path.join(dir, `file-${format}-${workers}`);
        const f = await sh(cli('replay', files[format], '--out', fromFile, ...common));
        expect(f.code).toBe(0);
        const fromStdin = path.join(dir, `stdin-${format}-${workers}`);
        const s = await runFedInPieces(['replay', '-', '--out', fromStdin, ...common], new Uint8Array(await readFile(files[format])));
        expect(s.stderr).toBe('');
        expect(s.code).toBe(0);
        expect(s.stdout).toBe(f.stdout);
        expect(JSON.parse(s.stdout).packets).toBeGreaterThan(30_000);
        expect(await outputs(fromStdin)).toEqual(await outputs(fromFile));
      });
    }
  }

  it('inspect - and bindings - (pcapng, in pieces): the file\'s lines', async () => {
    const bytes = new Uint8Array(await readFile(files.pcapng));
    for (const args of [['inspect', '--json', '--quiet'], ['bindings', '--policy', SMALL_POLICY, '--json']]) {
      const f = await sh(cli(args[0]!, files.pcapng, ...args.slice(1)));
      expect(f.code).toBe(0);
      const s = await runFedInPieces([args[0]!, '-', ...args.slice(1)], bytes);
      expect(s.code).toBe(0);
      expect(s.stdout).toBe(f.stdout);
    }
  });

  for (const format of ['pcap', 'pcapng'] as const) {
    it(`${format} with its last record cut: the file's warning, naming stdin, and outputs`, async () => {
      const cut = path.join(dir, `cut.${format}`);
      await writeFile(cut, (await readFile(files[format])).subarray(0, 9_000_001));
      const fo = path.join(dir, `cut-file-${format}`);
      const so = path.join(dir, `cut-stdin-${format}`);
      // (--quiet: no progress line, which a run longer than a second on a loaded machine prints)
      const f = await sh(cli('replay', cut, '--out', fo, '--json', '--explain', '--quiet'));
      const s = await sh(`cat ${q(cut)} | ${cli('replay', '-', '--out', so, '--json', '--explain', '--quiet')}`);
      expect(f.code).toBe(0);
      expect(s.code).toBe(0);
      expect(lines(f.stderr)).toHaveLength(1);
      expect(lines(f.stderr)[0]).toMatch(/record cut short/);
      expect(s.stderr).toBe(f.stderr.replace(cut, 'stdin'));
      expect(s.stdout).toBe(f.stdout);
      expect(await outputs(so)).toEqual(await outputs(fo));
    });
  }
});

describe('stdin that holds no capture', () => {
  for (const [what, redirect] of [['/dev/null', '< /dev/null'], ['closed', '<&-']] as const) {
    it(`stdin ${what}: one line, exit 1, nothing made`, async () => {
      const out = path.join(dir, `none-${what.replace(/\W/g, '')}`);
      for (const [cmd, args] of [['replay', ['--out', out]], ['inspect', []], ['bindings', []]] as const) {
        const r = await sh(`${cli(cmd, '-', ...args)} ${redirect}`);
        expect(lines(r.stderr)).toEqual([`aipref-enforcer ${cmd}: stdin: at byte 0: empty file: not a capture`]);
        expect(r.code).toBe(1);
      }
      expect(existsSync(out)).toBe(false);
    });
  }

  it('gzip on a pipe: refused in one line naming stdin', async () => {
    const gz = path.join(dir, 'small.pcap.gz');
    await writeFile(gz, gzipSync(await readFile(SMALL_PCAP)));
    const r = await sh(`cat ${q(gz)} | ${cli('inspect', '-')}`);
    expect(lines(r.stderr)).toEqual(['aipref-enforcer inspect: stdin: at byte 0: gzip-compressed data through a pipe: give the .gz file itself, or decompress it on the way (zcat)']);
    expect(r.code).toBe(1);
  });
});

describe('bad input and signals on stdin with a busy writer', () => {
  it('broken mid-stream, writer writing fast: one line, exit 1 at once, writer gets SIGPIPE', async () => {
    const bytes = new Uint8Array(await readFile(files.pcap));
    const offset = breakRecord(bytes, 3000);
    const broken = path.join(dir, 'broken.pcap');
    await writeFile(broken, bytes);
    const started = Date.now();
    const r = await sh(`cat ${q(broken)} | ${cli('replay', '-', '--out', path.join(dir, 'broken-out'), '--quiet')}; echo "\${PIPESTATUS[*]}"`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: stdin: at byte ${offset}: absurd record length 2147483647 (limit 262144)`]);
    expect(r.stdout.trim()).toBe('141 1');
  });

  it('SIGINT while the writer is still writing: exit 130, summary printed', async () => {
    const r = await runFedInPieces(['replay', '-', '--out', path.join(dir, 'int'), '--json', '--quiet'], new Uint8Array(await readFile(files.pcap)), { pauseMs: 50, sigintAfterBytes: 8.5 * 1024 * 1024, sigintAfterMs: 300, timeoutMs: 20_000 });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(130);
    expect(JSON.parse(r.stdout).packets).toBeGreaterThan(0);
  });
});

describe('other uses of `-`', () => {
  it('replay - --to udp://…: the file\'s {sent, skipped}', async () => {
    const socket = createSocket('udp4');
    socket.on('message', () => {});
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const to = `udp://127.0.0.1:${socket.address().port}`;
      const f = await sh(cli('replay', files.pcap, '--to', to, '--speed', '0'));
      const s = await sh(`cat ${q(files.pcap)} | ${cli('replay', '-', '--to', to, '--speed', '0')}`);
      expect(f.code).toBe(0);
      expect(s.code).toBe(0);
      expect(s.stdout).toBe(f.stdout);
    } finally {
      socket.close();
    }
  });

  it('an unsupported link type on stdin: the warning names stdin', async () => {
    const bytes = new Uint8Array(await readFile(SMALL_PCAP));
    new DataView(bytes.buffer).setUint32(20, 147, true);
    const lt = path.join(dir, 'lt.pcap');
    await writeFile(lt, bytes);
    for (const [cmd, args] of [['replay', ['--out', path.join(dir, 'lt-out'), '--quiet']], ['inspect', ['--quiet']], ['bindings', []]] as const) {
      const r = await sh(`${cli(cmd, '-', ...args)} < ${q(lt)} > /dev/null`);
      expect(r.code).toBe(0);
      expect(lines(r.stderr)).toEqual([`aipref-enforcer ${cmd}: stdin: 440 records of link type 147 were not read (unsupported link type)`]);
    }
  });
});

describe('the file path after the read loop was restructured', () => {
  it('a FIFO fed slowly, /dev/stdin (pipe and redirection), a .gz file: the file\'s outputs', async () => {
    const common = ['--policy', SMALL_POLICY, '--explain', '--json', '--quiet'];
    const ref = path.join(dir, 'ref');
    const f = await sh(cli('replay', files.pcapng, '--out', ref, ...common));
    expect(f.code).toBe(0);
    const want = await outputs(ref);
    const gz = path.join(dir, 'big.pcapng.gz');
    await writeFile(gz, gzipSync(await readFile(files.pcapng)));
    const fifo = path.join(dir, 'fifo');
    const ways: [string, string][] = [
      ['gz', cli('replay', gz, '--out', path.join(dir, 'w-gz'), ...common)],
      ['fifo', `mkfifo ${q(fifo)} && { (head -c 5000000 ${q(files.pcapng)}; sleep 0.3; tail -c +5000001 ${q(files.pcapng)}) > ${q(fifo)} & } && ${cli('replay', fifo, '--out', path.join(dir, 'w-fifo'), ...common)}`],
      ['devstdin-pipe', `cat ${q(files.pcapng)} | ${cli('replay', '/dev/stdin', '--out', path.join(dir, 'w-devstdin-pipe'), ...common)}`],
      ['devstdin-redirect', `${cli('replay', '/dev/stdin', '--out', path.join(dir, 'w-devstdin-redirect'), ...common)} < ${q(files.pcapng)}`],
    ];
    for (const [name, line] of ways) {
      const r = await sh(line);
      expect(r.stderr, name).toBe('');
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toBe(f.stdout);
      expect(await outputs(path.join(dir, `w-${name}`)), name).toEqual(want);
    }
  });

  it('reports.ndjson a folder: one line naming it, exit 1', async () => {
    const out = path.join(dir, 'reports-folder');
    await mkdir(path.join(out, 'reports.ndjson'), { recursive: true });
    const r = await sh(cli('replay', SMALL_PCAP, '--out', out, '--quiet'));
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: ${path.join(out, 'reports.ndjson')}: cannot open: illegal operation on a directory (EISDIR)`]);
    expect(r.code).toBe(1);
  });
});
