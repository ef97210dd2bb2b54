/**
 * From a review of the README and the CLI contract (SPEC §8): the checks that came out fine.
 *
 * Checks of README.md ("What a replay does", "Commands", exit codes) and SPEC §8 (the command
 * line and record contract) against the built CLI that turned out FINE. Kept as regression
 * tests; each drives bin/aipref-enforcer.js as a child process.
 *
 * - the README's sample replay: its four-line text summary (including "written to out/ (…)")
 *   is what `replay samples/call-small.pcap --policy samples/policy.json --out out/ --explain`
 *   prints, and its quoted export, report and decision lines are lines of the files it writes;
 *   its `inspect` and `bindings` excerpts are lines of what those commands print;
 * - the --json summary agrees with the files: decisions by outcome = telemetry counts, telemetry
 *   lines = telemetry.export, report lines by type = reports, and `packets` = the inspect lines
 *   (sip + rtp + rtcp + other);
 * - a capture of several 4 MiB chunks through a pipe fed in uneven pieces gives the file's
 *   bytes (README: "the output is the same bytes as from the file");
 * - inspect --json carries the SPEC §8 fields of BYE (reason), APP (subtype, name), RTPFB/PSFB
 *   (fmt, senderSsrc, mediaSsrc; TWCC under packets[].twcc with status and deltasUs), XR
 *   (bt 4, 5, 7 with the VoIP-metrics names), values checked against the bytes written;
 * - bad input: an empty file, a cut file header, a folder as capture: exit 1, one stderr line
 *   naming the file and "at byte 0", no --out folder made; a pcapng whose block length is
 *   broken mid-file: exit 1, one line with the byte offset, reports.ndjson ending with the
 *   malformed-input report (frame after the last read) and the same files with 0 and 2 workers;
 * - gzip: a .pcap.gz is read as the plain capture; gzip bytes through a pipe are refused in one
 *   line, nothing made;
 * - the policy file's window is the default window, and --window overrides it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader, encodePcapngEnhancedPacket, encodePcapngInterface, encodePcapngSectionHeader, encodePcapRecord } from '../../../native-free/write.js';
import { BIN, cli, SMALL_PCAP, SMALL_POLICY, Workspace } from '../../e2e/e2e-helpers.js';

const run = promisify(execFile);
const ws = new Workspace();
afterAll(() => ws.cleanup());

const README = await readFile(path.resolve(process.cwd(), 'README.md'), 'utf8');
const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const jsonLines = (text: string) => lines(text).map((l) => JSON.parse(l) as Record<string, unknown>);

async function exec(cmd: string, args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 256 << 20, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The fenced block after the README text `marker`. */
function blockAfter(marker: string, lang = ''): string {
  const at = README.indexOf(marker);
  if (at < 0) throw new Error(`README has no '${marker}'`);
  const start = README.indexOf('```' + lang + '\n', at) + 3 + lang.length + 1;
  return README.slice(start, README.indexOf('```', start));
}

describe('README: the sample replay, as printed and written', () => {
  it('the text summary, and the quoted export, report and decision lines', async () => {
    const cwd = await ws.file('readme-sample');
    await mkdir(cwd);
    const r = await exec(process.execPath, [BIN, 'replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', 'out/', '--explain', '--workers', '0'], cwd);
    expect(r.code).toBe(0);
    const block = lines(blockAfter('## What a replay does'));
    expect(block[0]).toBe('$ npx aipref-enforcer replay samples/call-small.pcap --policy samples/policy.json --out out/ --explain');
    expect(lines(r.stdout)).toEqual(block.slice(1));
    const files = Object.fromEntries(
      await Promise.all(['exports', 'reports', 'decisions'].map(async (f) => [f, lines(await readFile(path.join(cwd, 'out', `${f}.ndjson`), 'utf8'))] as const)),
    );
    for (const [marker, file] of [
      ['An export line (`out/exports.ndjson`)', 'exports'],
      ['Report lines (`out/reports.ndjson`)', 'reports'],
      ['With `--explain`, every telemetry item', 'decisions'],
    ] as const) {
      const quoted = lines(blockAfter(marker, 'json'));
      expect(quoted.length).toBeGreaterThan(0);
      for (const q of quoted) expect(files[file], `${file}: ${q.slice(0, 80)}`).toContain(q);
    }
  });

  it('the inspect and bindings excerpts are lines the commands print', async () => {
    const inspect = await cli('inspect', SMALL_PCAP);
    const bindings = await cli('bindings', SMALL_PCAP, '--policy', SMALL_POLICY);
    expect([inspect.code, bindings.code]).toEqual([0, 0]);
    const inspectBlock = lines(blockAfter('- **inspect**'));
    const inspectExcerpt = inspectBlock.filter((l) => /^\s+\d+\s+\d+\.\d{6}/.test(l));
    expect(inspectExcerpt.length).toBe(4);
    for (const l of inspectExcerpt) expect(lines(inspect.stdout), l).toContain(l.slice(2));
    const bindingsExcerpt = lines(blockAfter('- **bindings**')).filter((l) => l.trim().startsWith('ssrc '));
    expect(bindingsExcerpt.length).toBe(3);
    for (const l of bindingsExcerpt) expect(lines(bindings.stdout), l).toContain(l.slice(2));
  });
});

describe('SPEC §8: the --json summary agrees with the files and with inspect', () => {
  it('decisions by outcome, telemetry lines, report lines by type, packets = inspect lines', async () => {
    const g = await ws.generate({ calls: 6, durationSec: 12, seed: 11, videoBytes: 200, packetRateScale: 0.3 });
    const out = await ws.file('sums-out');
    const r = await cli('replay', g.path, '--policy', SMALL_POLICY, '--out', out, '--explain', '--json', '--workers', '2');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { packets: number; rtp: number; rtcp: number; sip: number; telemetry: Record<string, number>; reports: Record<string, number> };
    const decisions = jsonLines(await readFile(path.join(out, 'decisions.ndjson'), 'utf8'));
    const exports = jsonLines(await readFile(path.join(out, 'exports.ndjson'), 'utf8'));
    const reports = jsonLines(await readFile(path.join(out, 'reports.ndjson'), 'utf8'));
    const count = <T,>(xs: T[], key: (x: T) => string) => xs.reduce<Record<string, number>>((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {});
    expect(count(decisions, (d) => String(d.decision))).toEqual(Object.fromEntries(Object.entries(s.telemetry).filter(([, n]) => n > 0)));
    expect(exports.filter((x) => x.type === 'telemetry').length).toBe(s.telemetry.export);
    expect(count(reports, (x) => String(x.type))).toEqual(s.reports);
    const inspect = await cli('inspect', g.path, '--json');
    const protos = count(jsonLines(inspect.stdout), (l) => String(l.proto));
    expect([protos.sip ?? 0, protos.rtp ?? 0, protos.rtcp ?? 0]).toEqual([s.sip, s.rtp, s.rtcp]);
    expect(Object.values(protos).reduce((a, b) => a + b, 0)).toBe(s.packets);
  });
});

describe('a capture of several read chunks through a pipe fed unevenly', () => {
  it('gives the same bytes as from the file, with 2 workers', async () => {
    const g = await ws.generate({ calls: 4, durationSec: 20, seed: 5 });
    const size = (await readFile(g.path)).length;
    expect(size).toBeGreaterThan(2 * 4 * 1024 * 1024);
    const a = await ws.file('chunks-file');
    const b = await ws.file('chunks-pipe');
    const fromFile = await cli('replay', g.path, '--policy', SMALL_POLICY, '--out', a, '--explain', '--json', '--workers', '2');
    const feeder = await ws.file('feeder.mjs');
    await writeFile(
      feeder,
      `import { openSync, readSync } from 'node:fs';
const fd = openSync(process.argv[2], 'r'); const buf = Buffer.alloc(1 << 20); let i = 0;
const step = () => { const n = readSync(fd, buf, 0, 7000 + (i++ % 5) * 13001, null); if (n === 0) return; process.stdout.write(Buffer.from(buf.subarray(0, n)), () => setTimeout(step, i % 64 === 0 ? 5 : 0)); };
step();
`,
    );
    const piped = await exec('sh', ['-c', '"$1" "$2" "$3" | "$1" "$4" replay /dev/stdin --policy "$5" --out "$6" --explain --json --workers 2', 'sh', process.execPath, feeder, g.path, BIN, SMALL_POLICY, b]);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(fromFile.stdout);
    for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) expect(await readFile(path.join(b, f), 'utf8'), f).toBe(await readFile(path.join(a, f), 'utf8'));
  });
});

describe('inspect --json: the SPEC §8 fields of the RTCP packet types', () => {
  it('BYE reason, APP, TWCC, REMB, PLI, XR blocks 4, 5 and 7', async () => {
    const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
    const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
    const pkt = (count: number, pt: number, body: Buffer) => Buffer.concat([Buffer.from([0x80 | count, pt]), u16(body.length / 4), body]);
    const S = 0x11111111, M = 0x22222222;
    const rr0 = pkt(0, 201, u32(S));
    const sr0 = pkt(0, 200, Buffer.concat([u32(S), u32(3976214401), u32(5), u32(1000), u32(10), u32(1600)]));
    const bye = pkt(1, 203, Buffer.concat([u32(S), Buffer.from([7]), Buffer.from('bye now')]));
    const app = pkt(3, 204, Buffer.concat([u32(S), Buffer.from('TEST'), u32(0xdeadbeef)]));
    const twcc = pkt(15, 205, Buffer.concat([u32(S), u32(M), u16(100), u16(3), Buffer.from([0, 0, 1, 0]), u16(0x2003), Buffer.from([4, 8, 12, 0, 0, 0])]));
    const remb = pkt(15, 206, Buffer.concat([u32(S), u32(0), Buffer.from('REMB'), Buffer.from([1, 0x01, 0x86, 0xa0]), u32(M)]));
    const pli = pkt(1, 206, Buffer.concat([u32(S), u32(M)]));
    const b4 = Buffer.concat([Buffer.from([4, 0]), u16(2), u32(1), u32(2)]);
    const b5 = Buffer.concat([Buffer.from([5, 0]), u16(3), u32(M), u32(7), u32(8)]);
    const b7 = Buffer.concat([Buffer.from([7, 0]), u16(8), u32(M), Buffer.from([10, 5, 20, 30]), u16(100), u16(200), u16(50), u16(60), Buffer.from([0xe2, 0xc1, 127, 16, 90, 127, 42, 38, 0x30, 0]), u16(40), u16(80), u16(120)]);
    const xr = pkt(0, 207, Buffer.concat([u32(S), b4, b5, b7]));
    const compounds = [Buffer.concat([sr0, bye]), Buffer.concat([rr0, app]), Buffer.concat([rr0, twcc]), Buffer.concat([rr0, remb, pli]), Buffer.concat([rr0, xr])];
    const file = await ws.file('kinds.pcap');
    await writeFile(file, Buffer.concat([encodePcapFileHeader(1), ...compounds.map((c, i) => encodePcapRecord(1767225600 + i, buildEthernetIpv4Udp({ src: '10.9.0.1', dst: '10.9.0.2', sport: 5005, dport: 5007, payload: c })))]));
    const r = await cli('inspect', file, '--json');
    expect(r.code).toBe(0);
    const got = jsonLines(r.stdout).map((l) => l.packets as Record<string, unknown>[]);
    expect(got).toHaveLength(5);
    expect(got[0]![1]).toMatchObject({ pt: 203, ssrc: S, ssrcs: [S], reason: 'bye now' });
    expect(got[1]![1]).toMatchObject({ pt: 204, ssrc: S, subtype: 3, name: 'TEST' });
    expect(got[2]![1]).toMatchObject({ pt: 205, fmt: 15, senderSsrc: S, mediaSsrc: M, twcc: { baseSeq: 100, statusCount: 3, status: '111', deltasUs: [1000, 2000, 3000] } });
    expect(got[3]![1]).toMatchObject({ pt: 206, fmt: 15, senderSsrc: S, mediaSsrc: 0 });
    expect(got[3]![2]).toMatchObject({ pt: 206, fmt: 1, senderSsrc: S, mediaSsrc: M });
    expect(got[4]![1]).toMatchObject({
      pt: 207,
      ssrc: S,
      blocks: [
        { bt: 4, ntpSec: 1, ntpFrac: 2 },
        { bt: 5, subBlocks: [{ ssrc: M, lrr: 7, dlrr: 8 }] },
        { bt: 7, ssrc: M, lossRate: 10, discardRate: 5, roundTripDelay: 50, endSystemDelay: 60, rFactor: 90, mosLq: 42, mosCq: 38 },
      ],
    });
  });
});

describe('bad input: exit 1, one line naming the file and the byte offset', () => {
  it('an empty file, a cut file header, a folder: at byte 0, no --out folder made', async () => {
    const empty = await ws.file('empty.pcap');
    await writeFile(empty, '');
    const cut = await ws.file('cut-header.pcap');
    await writeFile(cut, (await readFile(SMALL_PCAP)).subarray(0, 10));
    const folder = await ws.file('a-folder');
    await mkdir(folder);
    for (const file of [empty, cut, folder]) {
      for (const command of ['replay', 'inspect', 'bindings']) {
        const out = await ws.file(`bad-out-${command}-${path.basename(file)}`);
        const r = await cli(command, file, ...(command === 'replay' ? ['--out', out, '--workers', '0'] : []));
        expect(r.code, `${command} ${file}`).toBe(1);
        expect(lines(r.stderr), `${command} ${file}`).toEqual([expect.stringMatching(new RegExp(`^aipref-enforcer ${command}: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: at byte 0: `))]);
        expect(existsSync(out)).toBe(false);
      }
    }
  });

  it('a pcapng whose block length breaks mid-file: the offset, and reports.ndjson ending with where it stopped, whatever the workers', async () => {
    const bytes = await readFile(SMALL_PCAP);
    const blocks = [encodePcapngSectionHeader(), encodePcapngInterface(1)];
    let at = 24;
    while (at < bytes.length) {
      const len = bytes.readUInt32LE(at + 8);
      const units = BigInt(bytes.readUInt32LE(at)) * 1_000_000n + BigInt(bytes.readUInt32LE(at + 4));
      blocks.push(encodePcapngEnhancedPacket(0, units, bytes.subarray(at + 16, at + 16 + len)));
      at += 16 + len;
    }
    const broken = Buffer.concat(blocks.map((b) => Buffer.from(b)));
    const offset = blocks.slice(0, 2 + 200).reduce((n, b) => n + b.length, 0);
    broken.writeUInt32LE(13, offset + 4);
    const file = await ws.file('broken.pcapng');
    await writeFile(file, broken);
    const outs: string[] = [];
    for (const workers of ['0', '2']) {
      const out = await ws.file(`broken-pcapng-${workers}`);
      outs.push(out);
      const r = await cli('replay', file, '--policy', SMALL_POLICY, '--out', out, '--workers', workers);
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toEqual([`aipref-enforcer replay: ${file}: at byte ${offset + 4}: bad block length 13`]);
      const reports = jsonLines(await readFile(path.join(out, 'reports.ndjson'), 'utf8'));
      expect(reports.at(-1)).toMatchObject({ type: 'malformed-input', frame: 201, detail: `bad block length 13 (byte ${offset + 4}): the capture cannot be read past here` });
    }
    for (const f of ['exports.ndjson', 'reports.ndjson']) expect(await readFile(path.join(outs[1]!, f), 'utf8')).toBe(await readFile(path.join(outs[0]!, f), 'utf8'));
  });
});

describe('gzip', () => {
  it('a .pcap.gz is read as the plain capture; gzip through a pipe is refused in one line, nothing made', async () => {
    const gz = await ws.file('call.pcap.gz');
    await writeFile(gz, gzipSync(await readFile(SMALL_PCAP)));
    const plain = await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', await ws.file('gz-plain'), '--json', '--workers', '0');
    const zipped = await cli('replay', gz, '--policy', SMALL_POLICY, '--out', await ws.file('gz-file'), '--json', '--workers', '0');
    expect(zipped.code).toBe(0);
    expect(zipped.stdout).toBe(plain.stdout);
    const out = await ws.file('gz-pipe');
    const piped = await exec('sh', ['-c', 'cat "$1" | "$2" "$3" replay /dev/stdin --out "$4"', 'sh', gz, process.execPath, BIN, out]);
    expect(piped.code).toBe(1);
    expect(lines(piped.stderr)).toEqual([expect.stringMatching(/^aipref-enforcer replay: \/dev\/stdin: at byte 0: gzip-compressed data through a pipe/)]);
    expect(existsSync(out)).toBe(false);
  });
});

describe('--window and the policy file window', () => {
  it("the policy file's window is the default; --window overrides it", async () => {
    const policy = JSON.parse(await readFile(SMALL_POLICY, 'utf8')) as Record<string, unknown>;
    const oneSecond = await ws.file('policy-1s.json');
    await writeFile(oneSecond, JSON.stringify({ ...policy, window: '1s' }));
    const outs = await Promise.all(['w-policy', 'w-flag', 'w-override', 'w-default'].map((n) => ws.file(n)));
    expect((await cli('replay', SMALL_PCAP, '--policy', oneSecond, '--out', outs[0]!, '--workers', '0')).code).toBe(0);
    expect((await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--window', '1s', '--out', outs[1]!, '--workers', '0')).code).toBe(0);
    expect((await cli('replay', SMALL_PCAP, '--policy', oneSecond, '--window', '10s', '--out', outs[2]!, '--workers', '0')).code).toBe(0);
    expect((await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', outs[3]!, '--workers', '0')).code).toBe(0);
    const exportsOf = (dir: string) => readFile(path.join(dir, 'exports.ndjson'), 'utf8');
    expect(await exportsOf(outs[0]!)).toBe(await exportsOf(outs[1]!));
    expect(await exportsOf(outs[2]!)).toBe(await exportsOf(outs[3]!));
    expect(await exportsOf(outs[0]!)).not.toBe(await exportsOf(outs[3]!));
  });
});
