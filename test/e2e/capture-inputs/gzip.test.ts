/**
 * gzip-compressed captures (`tcpdump -z gzip` rotation, a `.pcap.gz` from a ticket) are read
 * decompressed, as Wireshark and tshark open them.
 *
 * Was: refused — "call-small.pcap.gz: at byte 0: not a pcap or pcapng capture (starts with
 * 0x1f8b0800)", exit 1; the operator had to know to pipe it through zcat. Now the file is read
 * through zlib (concatenated members too): the outputs are those of the plain capture, with 0
 * and 2 workers; errors name the file "(decompressed)" and the decompressed byte offset; a
 * broken gzip stream stops the run with one line after what came before it was written; gzip
 * data through a pipe is refused saying what to do; `--filter` (libpcap) refuses it too.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, policyOf, replayLines, sharedCapture, SMALL_PCAP, SMALL_POLICY, Workspace } from '../e2e-helpers.js';
import { readFileSync } from 'node:fs';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const policy = () => policyOf(JSON.parse(readFileSync(SMALL_POLICY, 'utf8')) as never);
const lines = (o: Awaited<ReturnType<typeof replayLines>>) => ({ exports: o.exports, reports: o.reports, decisions: o.decisions, summary: o.result.summary });

describe('a gzip-compressed capture', () => {
  it('replays as the plain capture does, with 0 and 2 workers, whatever the gzip members and chunks', async () => {
    const plain = await readFile(SMALL_PCAP);
    const gz = await ws.file('call-small.pcap.gz');
    await writeFile(gz, gzipSync(plain));
    // two members (a rotated file appended to): one stream of bytes
    const cut = Math.floor(plain.length / 3);
    const twoMembers = await ws.file('two-members.pcap.gz');
    await writeFile(twoMembers, Buffer.concat([gzipSync(plain.subarray(0, cut)), gzipSync(plain.subarray(cut))]));
    const want = lines(await replayLines({ capture: SMALL_PCAP, policy: policy() }));
    expect(want.exports.length).toBeGreaterThan(0);
    for (const capture of [gz, twoMembers]) {
      for (const workers of [0, 2]) {
        // small chunks: records cut across reads and across members
        expect(lines(await replayLines({ capture, policy: policy(), workers, chunkBytes: 1000 }))).toEqual(want);
      }
    }
  });

  it('inspect prints what it prints for the plain capture (a real capture of another project)', async () => {
    const real = sharedCapture('rtpproxy_rtcp.a.pcap');
    const gz = await ws.file('rtpproxy.pcap.gz');
    await writeFile(gz, gzipSync(await readFile(real)));
    const [a, b] = [await cli('inspect', real, '--json', '--quiet'), await cli('inspect', gz, '--json', '--quiet')];
    expect(b.code).toBe(0);
    expect(b.stderr).toBe('');
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout.split('\n').length).toBeGreaterThan(10);
  });

  it('a gzip file that is no capture is refused naming the file, decompressed, at byte 0', async () => {
    const gz = await ws.file('notes.txt.gz');
    await writeFile(gz, gzipSync(Buffer.from('hello, this is not a capture\n')));
    const out = await ws.file('out-notes');
    const r = await cli('replay', gz, '--out', out, '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`aipref-enforcer replay: ${gz} (decompressed): at byte 0: not a pcap or pcapng capture (starts with 0x68656c6c)\n`);
  });

  it('a gzip stream broken midway stops the run with one line, after writing what came before', async () => {
    const plain = await readFile(SMALL_PCAP);
    const whole = gzipSync(plain, { level: 1 });
    const gz = await ws.file('cut.pcap.gz');
    await writeFile(gz, whole.subarray(0, Math.floor(whole.length / 2)));
    const out = await ws.file('out-cut');
    const r = await cli('replay', gz, '--policy', SMALL_POLICY, '--out', out, '--quiet', '--workers', '0');
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^aipref-enforcer replay: ${gz.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(decompressed\\): at byte \\d+: gzip data that does not decompress: .*unexpected end of file`));
    // what was read before the break is written (the plain capture's first records)
    const reports = (await readFile(`${out}/reports.ndjson`, 'utf8')).trim().split('\n');
    expect(reports.length).toBeGreaterThan(1);
    expect(JSON.parse(reports.at(-1)!)).toMatchObject({ type: 'malformed-input', detail: expect.stringMatching(/^gzip data that does not decompress: .*unexpected end of file \(byte \d+\): the capture cannot be read past here$/) });
    // in small chunks the failing read is one made ahead, while earlier records are processed:
    // thrown in turn (the records before it processed), not an unhandled rejection
    for (const workers of [0, 2]) {
      await expect(replayLines({ capture: gz, policy: policy(), workers, chunkBytes: 4096 })).rejects.toThrow(/\(decompressed\): at byte \d+: gzip data that does not decompress/);
    }
  });

  it('gzip data through a pipe (a FIFO) is refused, saying what to do', async () => {
    const gz = await ws.file('piped.pcap.gz');
    await writeFile(gz, gzipSync(await readFile(SMALL_PCAP)));
    const fifo = await ws.file('capture.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', gz, fifo], { stdio: 'ignore' });
    try {
      const r = await cli('replay', fifo, '--out', await ws.file('out-pipe'), '--quiet');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`aipref-enforcer replay: ${fifo}: at byte 0: gzip-compressed data through a pipe: give the .gz file itself, or decompress it on the way (zcat)\n`);
    } finally {
      writer.kill();
    }
  });

  it('--filter (libpcap) refuses it, saying what to do', async () => {
    const gz = await ws.file('filter.pcap.gz');
    await writeFile(gz, gzipSync(await readFile(SMALL_PCAP)));
    const r = await cli('inspect', gz, '--filter', 'udp', '--quiet');
    if (r.stderr.includes('optional native')) return; // no libpcap binding on this machine: --filter is refused for that
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`aipref-enforcer inspect: ${gz}: at byte 0: gzip-compressed: --filter reads through libpcap, which does not decompress (zcat it to a file, or leave --filter out)\n`);
  });
});
