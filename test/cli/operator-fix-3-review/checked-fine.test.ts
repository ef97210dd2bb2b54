/**
 * Checked fine (review of 9bb1a94 and cf497f1's live --out/--spool checks):
 * - a capture of ~13 MB (four 4 MiB chunks) read from stdin as a regular file (`- < f`), as a
 *   .gz regular file (`- < f.gz`), through /dev/stdin, a FIFO, and a .gz by name: exports,
 *   reports and decisions byte-identical to the file by name, --workers 0 and 2;
 * - stdin a regular file opened at a non-zero offset (plain and gzip): read from where the offset
 *   stands, as the capture alone;
 * - "open without emptying": an earlier run's longer exports/reports/decisions are truncated to
 *   this run's bytes (no stale tail); exports.ndjson a symlink is written through it; a dangling
 *   one has its target made; a run refused (reports.ndjson a folder) with exports.ndjson a
 *   dangling symlink makes no target;
 * - a read-only existing exports.ndjson (run as uid 65534): refused in one line naming it,
 *   reports.ndjson and a stale decisions.ndjson keep their bytes;
 * - refusal cleanup: an existing --out folder and its earlier files stay; only the files the run
 *   made go;
 * - SIGINT during a gzip read by name and during `- < f.gz`: exit 130, nothing on stderr
 *   (--quiet), the interrupted summary;
 * - `replay - --to udp://…` with SIGINT, stdin a regular file or a .gz regular file: exit 130;
 * - readCaptureBatches with one long-lived signal over 30 runs (whole, broken off, failing): no
 *   abort listener left, no MaxListenersExceededWarning;
 * - stdin a terminal and a capture named by its path: not refused;
 * - live --to/--spool without --out, --spool not a folder: refused in one line, nothing made
 *   (no default aipref-out).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, readSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { getEventListeners } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../../native-free/capture.js';
import { BIN, SMALL_PCAP, SMALL_POLICY, lines, repeatedCapture } from '../operator-fix-2-review/stdin-helpers.js';

let dir: string;
let big: string;
let bigGz: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-fix3-fine-'));
  const bytes = await repeatedCapture(13_000_000);
  big = path.join(dir, 'big.pcap');
  bigGz = path.join(dir, 'big.pcap.gz');
  await writeFile(big, bytes);
  await writeFile(bigGz, gzipSync(bytes, { level: 1 }));
}, 60_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI with fd 0 `stdinFd` (or ignored); `sigintAfterMs`: SIGINT then. */
function cli(args: string[], opts: { stdinFd?: number; sigintAfterMs?: number; uid?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: [opts.stdinFd ?? 'ignore', 'pipe', 'pipe'], ...(opts.uid !== undefined && { uid: opts.uid, gid: opts.uid }) });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const sig = opts.sigintAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGINT'), opts.sigintAfterMs);
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      if (sig) clearTimeout(sig);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The CLI with stdin the file opened at `skip` bytes in. */
async function withStdinFile(args: string[], file: string, opts: { skip?: number; sigintAfterMs?: number } = {}): Promise<Ran> {
  const fd = openSync(file, 'r');
  try {
    if (opts.skip) readSync(fd, Buffer.alloc(opts.skip), 0, opts.skip, null);
    return await cli(args, { stdinFd: fd, ...(opts.sigintAfterMs !== undefined && { sigintAfterMs: opts.sigintAfterMs }) });
  } finally {
    closeSync(fd);
  }
}

const outputs = async (out: string) =>
  Promise.all(['exports.ndjson', 'reports.ndjson', 'decisions.ndjson'].map((f) => readFile(path.join(out, f), 'utf8').catch(() => null)));

describe('the regular-file path: outputs as the file by name', () => {
  for (const workers of ['0', '2']) {
    it(`--workers ${workers}: stdin file, stdin .gz, /dev/stdin, FIFO, .gz by name`, async () => {
      const args = (out: string, capture: string) => ['replay', capture, '--policy', SMALL_POLICY, '--workers', workers, '--explain', '--quiet', '--out', path.join(dir, `w${workers}-${out}`)];
      expect((await cli(args('name', big))).code).toBe(0);
      const want = await outputs(path.join(dir, `w${workers}-name`));
      expect(want[0]!.length).toBeGreaterThan(0);
      expect((await withStdinFile(args('stdin', '-'), big)).code).toBe(0);
      expect((await withStdinFile(args('stdingz', '-'), bigGz)).code).toBe(0);
      expect((await withStdinFile(args('devstdin', '/dev/stdin'), big)).code).toBe(0);
      expect((await cli(args('gzname', bigGz))).code).toBe(0);
      const fifo = path.join(dir, `fifo-${workers}`);
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const writer = spawn('sh', ['-c', `cat '${big}' > '${fifo}'`]);
      const written = new Promise((r) => writer.on('close', r));
      expect((await cli(args('fifo', fifo))).code).toBe(0);
      await written;
      for (const v of ['stdin', 'stdingz', 'devstdin', 'gzname', 'fifo']) expect(await outputs(path.join(dir, `w${workers}-${v}`)), v).toEqual(want);
    }, 120_000);
  }

  it('stdin a regular file at a non-zero offset (plain and gzip): the capture from there', async () => {
    const junk = Buffer.alloc(100, 0x5a);
    const small = await readFile(SMALL_PCAP);
    const plain = path.join(dir, 'off.pcap');
    const gz = path.join(dir, 'off.gz');
    await writeFile(plain, Buffer.concat([junk, small]));
    await writeFile(gz, Buffer.concat([junk, gzipSync(small)]));
    const run = (out: string) => ['replay', '-', '--policy', SMALL_POLICY, '--quiet', '--out', path.join(dir, out)];
    expect((await cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--quiet', '--out', path.join(dir, 'off-want')])).code).toBe(0);
    const want = await outputs(path.join(dir, 'off-want'));
    expect((await withStdinFile(run('off-plain'), plain, { skip: 100 })).code).toBe(0);
    expect((await withStdinFile(run('off-gz'), gz, { skip: 100 })).code).toBe(0);
    expect(await outputs(path.join(dir, 'off-plain'))).toEqual(want);
    expect(await outputs(path.join(dir, 'off-gz'))).toEqual(want);
  }, 60_000);
});

describe('open without emptying', () => {
  it("an earlier run's longer files are cut to this run's bytes", async () => {
    const out = path.join(dir, 'reuse');
    expect((await cli(['replay', big, '--policy', SMALL_POLICY, '--explain', '--quiet', '--out', out])).code).toBe(0);
    const longer = await outputs(out);
    expect((await cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--explain', '--quiet', '--out', out])).code).toBe(0);
    expect((await cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--explain', '--quiet', '--out', path.join(dir, 'reuse-want')])).code).toBe(0);
    const now = await outputs(out);
    expect(now).toEqual(await outputs(path.join(dir, 'reuse-want')));
    expect(now[0]!.length).toBeLessThan(longer[0]!.length);
  }, 60_000);

  it('symlinks: written through; a dangling one made; none made when the run is refused', async () => {
    const want = path.join(dir, 'sl-want');
    expect((await cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--quiet', '--out', want])).code).toBe(0);
    const wantExports = await readFile(path.join(want, 'exports.ndjson'), 'utf8');
    const a = path.join(dir, 'sl-a');
    await mkdir(a);
    await writeFile(path.join(dir, 'sl-a-target'), 'old old old\n'.repeat(2000));
    await symlink(path.join(dir, 'sl-a-target'), path.join(a, 'exports.ndjson'));
    expect((await cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--quiet', '--out', a])).code).toBe(0);
    expect((await lstat(path.join(a, 'exports.ndjson'))).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(dir, 'sl-a-target'), 'utf8')).toBe(wantExports);
    const b = path.join(dir, 'sl-b');
    await mkdir(b);
    await symlink(path.join(dir, 'sl-b-target'), path.join(b, 'exports.ndjson'));
    expect((await cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--quiet', '--out', b])).code).toBe(0);
    expect(await readFile(path.join(dir, 'sl-b-target'), 'utf8')).toBe(wantExports);
    const c = path.join(dir, 'sl-c');
    await mkdir(path.join(c, 'reports.ndjson'), { recursive: true });
    await symlink(path.join(dir, 'sl-c-target'), path.join(c, 'exports.ndjson'));
    const r = await cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--quiet', '--out', c]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(existsSync(path.join(dir, 'sl-c-target'))).toBe(false);
  }, 60_000);

  it.skipIf(process.getuid?.() !== 0)('a read-only exports.ndjson (uid 65534): refused, the others keep their bytes', async () => {
    const top = path.join(dir, 'ro');
    await mkdir(top);
    await chmod(dir, 0o755);
    await chmod(top, 0o777);
    await writeFile(path.join(top, 'exports.ndjson'), 'earlier exports\n');
    await writeFile(path.join(top, 'reports.ndjson'), 'earlier reports\n');
    await writeFile(path.join(top, 'decisions.ndjson'), 'earlier decisions\n');
    for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) await chown(path.join(top, f), 65534, 65534);
    await chmod(path.join(top, 'exports.ndjson'), 0o444);
    const r = await cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--quiet', '--out', top], { uid: 65534 });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: ${path.join(top, 'exports.ndjson')}: cannot open: permission denied (EACCES)`]);
    expect(await outputs(top)).toEqual(['earlier exports\n', 'earlier reports\n', 'earlier decisions\n']);
  }, 30_000);

  it('refused in an existing --out: the folder and its earlier files stay, what the run made goes', async () => {
    const top = path.join(dir, 'keep');
    await mkdir(path.join(top, 'reports.ndjson'), { recursive: true });
    await writeFile(path.join(top, 'other.txt'), 'mine');
    const r = await cli(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--explain', '--quiet', '--out', top]);
    expect(r.code).toBe(1);
    expect(existsSync(path.join(top, 'other.txt'))).toBe(true);
    expect(existsSync(path.join(top, 'exports.ndjson'))).toBe(false);
    expect(existsSync(path.join(top, 'decisions.ndjson'))).toBe(false);
    expect((await lstat(path.join(top, 'reports.ndjson'))).isDirectory()).toBe(true);
  }, 30_000);
});

describe('interrupts', () => {
  it('SIGINT during a gzip read by name and during `- < f.gz`: exit 130, nothing on stderr', async () => {
    // a capture long enough to be still reading after 1 s
    const huge = path.join(dir, 'huge.pcap.gz');
    await writeFile(huge, gzipSync(await repeatedCapture(150_000_000), { level: 1 }));
    const byName = await cli(['replay', huge, '--policy', SMALL_POLICY, '--quiet', '--json', '--out', path.join(dir, 'int-name')], { sigintAfterMs: 1500 });
    expect(byName.code).toBe(130);
    expect(byName.stderr).toBe('');
    const onStdin = await withStdinFile(['replay', '-', '--policy', SMALL_POLICY, '--quiet', '--json', '--out', path.join(dir, 'int-stdin')], huge, { sigintAfterMs: 1500 });
    expect(onStdin.code).toBe(130);
    expect(onStdin.stderr).toBe('');
    const toUdp = await withStdinFile(['replay', '-', '--to', 'udp://127.0.0.1:9'], huge, { sigintAfterMs: 1500 });
    expect(toUdp.code).toBe(130);
    expect(toUdp.stderr).toBe('');
    const toUdpPlain = await withStdinFile(['replay', '-', '--to', 'udp://127.0.0.1:9'], big, { sigintAfterMs: 1000 });
    expect(toUdpPlain.code).toBe(130);
    expect(toUdpPlain.stderr).toBe('');
  }, 120_000);

  it('one long-lived signal over 30 reads: no abort listener left, no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const bad = path.join(dir, 'bad.pcap.gz');
    const gz = gzipSync(await readFile(SMALL_PCAP));
    await writeFile(bad, gz.subarray(0, gz.length - 4000));
    const good = path.join(dir, 'good.pcap.gz');
    await writeFile(good, gz);
    const signal = new AbortController().signal;
    try {
      for (let i = 0; i < 30; i++) {
        let n = 0;
        try {
          for await (const batch of readCaptureBatches(i % 3 === 2 ? bad : good, { signal, chunkBytes: 16384, onWarning: () => {} })) {
            n += batch.count;
            if (i % 3 === 1) break;
          }
        } catch {
          // the cut one may throw
        }
        expect(getEventListeners(signal, 'abort')).toHaveLength(0);
      }
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  }, 60_000);
});

describe('terminal and live checks', () => {
  it.skipIf(!existsSync('/usr/bin/script'))('stdin a terminal, the capture named by its path: not refused', () => {
    const out = path.join(dir, 'tty-out');
    const line = [process.execPath, BIN, 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--quiet', '--out', out].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', `${line}; echo rc=$?`, '/dev/null'], { encoding: 'utf8', timeout: 30_000, input: '' });
    expect(r.stdout).toMatch(/rc=0/);
    expect(r.stdout).not.toMatch(/terminal/);
    expect(existsSync(path.join(out, 'exports.ndjson'))).toBe(true);
  }, 40_000);

  it('live --to --spool <bad> without --out: refused in one line, nothing made', async () => {
    const cwd = path.join(dir, 'live-cwd');
    await mkdir(cwd);
    await writeFile(path.join(cwd, 'afile'), 'x');
    const r = spawnSync(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--to', 'http://127.0.0.1:9/x', '--spool', 'afile/sp', '--quiet'], { cwd, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer live: --spool afile/sp: ${path.join(cwd, 'afile')} is not a folder`]);
    expect(existsSync(path.join(cwd, 'aipref-out'))).toBe(false);
  }, 30_000);
});
