/**
 * Found by a review of the CLI's operator use, fixed since: `-` as the capture reads standard
 * input (fd 0) whatever it is — a pipe, a socket, a file (native-free/capture.ts
 * readCaptureBatches, statCapture; src/cli/replay.ts runReplay, src/cli/inspect.ts runInspect;
 * src/pipeline/packet-feed.ts unsupportedLinkTypeWarnings; src/cli/usage.ts USAGE).
 * Input: `zcat call.pcap.gz | aipref-enforcer replay - --out d` (and inspect, bindings,
 *   replay --to); the same with the child's stdin a socket (Node's `stdio: 'pipe'`) or a file.
 * Was: `aipref-enforcer replay: -: at byte 0: cannot open: ENOENT: no such file or directory`
 *   (`-` taken as a file name); the usage's way, /dev/stdin, fails on a socket:
 *   `/dev/stdin: at byte 0: cannot open: ENXIO: no such device or address`.
 * Correct: as `tcpdump -r -` / `tshark -r -`: `-` is fd 0, whatever it is, and the outputs are
 *   the file's, byte for byte; errors are one line naming the input `stdin` with the byte
 *   offset; a file literally named `-` is still read as `./-`.
 */
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenSample, lines, run, runWithStdin, SMALL_PCAP, SMALL_POLICY } from './operator-helpers.js';

let dir: string;
let sample: Uint8Array;
const reference = { replay: '', exports: '', reports: '', inspect: '', bindings: '' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-dash-'));
  sample = new Uint8Array(await readFile(SMALL_PCAP));
  const out = path.join(dir, 'from-file');
  const r = await run(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', out, '--json', '--quiet', '--workers', '2']);
  expect(r.code).toBe(0);
  reference.replay = r.stdout;
  reference.exports = await readFile(path.join(out, 'exports.ndjson'), 'utf8');
  reference.reports = await readFile(path.join(out, 'reports.ndjson'), 'utf8');
  reference.inspect = (await run(['inspect', SMALL_PCAP, '--json'])).stdout;
  reference.bindings = (await run(['bindings', SMALL_PCAP, '--policy', SMALL_POLICY, '--json'])).stdout;
  expect(reference.bindings.length).toBeGreaterThan(10);
}, 60_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('`-` reads standard input', () => {
  for (const kind of ['socket', 'pipe', 'file'] as const) {
    const input = () => (kind === 'socket' ? sample : SMALL_PCAP);
    it(`replay - (stdin a ${kind}): the file's summary and files, byte for byte`, async () => {
      const out = path.join(dir, `replay-${kind}`);
      const r = await runWithStdin(['replay', '-', '--policy', SMALL_POLICY, '--out', out, '--json', '--quiet', '--workers', '2'], kind, input());
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(reference.replay);
      expect(await readFile(path.join(out, 'exports.ndjson'), 'utf8')).toBe(reference.exports);
      expect(await readFile(path.join(out, 'reports.ndjson'), 'utf8')).toBe(reference.reports);
    });
    it(`inspect - and bindings - (stdin a ${kind}): the file's lines`, async () => {
      const i = await runWithStdin(['inspect', '-', '--json'], kind, input());
      expect(i.stderr).toBe('');
      expect(i.code).toBe(0);
      expect(i.stdout).toBe(reference.inspect);
      const b = await runWithStdin(['bindings', '-', '--policy', SMALL_POLICY, '--json'], kind, input());
      expect(b.stderr).toBe('');
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(reference.bindings);
    });
  }

  it('replay - --to udp://…: sends what the file sends', async () => {
    const socket = createSocket('udp4');
    let received = 0;
    socket.on('message', () => received++);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const to = `udp://127.0.0.1:${socket.address().port}`;
      const r = await runWithStdin(['replay', '-', '--to', to, '--speed', '0'], 'socket', sample);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ sent: 440, skipped: 0 });
      await new Promise((r) => setTimeout(r, 200));
      // (loopback UDP sent as fast as possible may drop some under load: sent is what is checked)
      expect(received).toBeGreaterThan(0);
    } finally {
      socket.close();
    }
  });

  it('bad input on stdin: one line naming stdin and the byte offset; nothing made', async () => {
    const out = path.join(dir, 'bad');
    const r = await runWithStdin(['replay', '-', '--out', out], 'socket', new TextEncoder().encode('abc'));
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['aipref-enforcer replay: stdin: at byte 0: truncated file header: 3 bytes, not a capture']);
    expect(existsSync(out)).toBe(false);
    const empty = await runWithStdin(['inspect', '-'], 'socket', new Uint8Array(0));
    expect(empty.code).toBe(1);
    expect(lines(empty.stderr)).toEqual(['aipref-enforcer inspect: stdin: at byte 0: empty file: not a capture']);
  });

  it('a capture broken mid-file on stdin: the error names stdin and the offset', async () => {
    const broken = path.join(dir, 'broken.pcap');
    const offset = await brokenSample(broken, 200);
    const r = await runWithStdin(['replay', '-', '--out', path.join(dir, 'broken-out'), '--quiet'], 'pipe', broken);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: stdin: at byte ${offset}: absurd record length 2147483647 (limit 262144)`]);
    const b = await runWithStdin(['bindings', '-'], 'socket', new Uint8Array(await readFile(broken)));
    expect(b.code).toBe(1);
    expect(lines(b.stderr).at(-1)).toBe(`aipref-enforcer bindings: stdin: at byte ${offset}: absurd record length 2147483647 (limit 262144)`);
  });

  it('gzip data on stdin is refused in one line naming stdin', async () => {
    const { gzipSync } = await import('node:zlib');
    const r = await runWithStdin(['replay', '-', '--out', path.join(dir, 'gz')], 'socket', gzipSync(sample));
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^aipref-enforcer replay: stdin: at byte 0: gzip-compressed data/)]);
  });

  it('inspect - --filter is refused as for a pipe (libpcap reads a file by its name)', async () => {
    const r = await runWithStdin(['inspect', '-', '--filter', 'udp'], 'file', SMALL_PCAP);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toBe('aipref-enforcer inspect: --filter needs a capture file, not stdin: write it to a file first, or leave --filter out');
  });

  it('a file literally named `-` is read as ./-; `-` alone still reads stdin', async () => {
    const cwd = path.join(dir, 'cwd');
    await import('node:fs/promises').then((fs) => fs.mkdir(cwd));
    await copyFile(SMALL_PCAP, path.join(cwd, '-'));
    const file = await run(['inspect', './-', '--json'], { cwd });
    expect(file.code).toBe(0);
    expect(file.stdout).toBe(reference.inspect);
    await writeFile(path.join(cwd, 'not-a-capture'), 'hello');
    const stdin = await runWithStdin(['inspect', '-', '--json'], 'file', path.join(cwd, 'not-a-capture'), { cwd });
    expect(stdin.code).toBe(1);
    expect(lines(stdin.stderr)).toEqual(['aipref-enforcer inspect: stdin: at byte 0: not a pcap or pcapng capture (starts with 0x68656c6c)']);
  });

  it('the usage says `-` reads standard input', async () => {
    const r = await run(['--help']);
    expect(r.stdout).toMatch(/^<capture>: .*`?-`? .*standard input/m);
    expect(r.stdout).not.toContain('/dev/stdin');
  });
});
