/**
 * Checks of capture files as they come from the field, and of the CLI on bad input (SPEC §7, §8),
 * that turned out FINE on the current code. tshark is the oracle where installed (skipped if not).
 *
 *  - pcapng: three sections (the second big-endian, mid-file), SPB, OPB (type 2), ISB / NRB / DSB /
 *    unknown blocks between packets, if_tsresol 2^-20 and 2^-30 with if_tsoffset, IDB options of odd
 *    lengths: frames, times (µs), addresses and ports equal tshark's; SPB times are the record
 *    before's (tshark shows none).
 *  - a zero-length packet (pcap and pcapng): counted and reported malformed at its frame, exit 0,
 *    `packets` = tshark's count; caplen > IDB/file snaplen: read whole, as tshark.
 *  - nanosecond and big-endian pcaps: the same records as the µs little-endian one.
 *  - fatal breaks mid-file (EPB naming interface 3 of 1, block trailer disagreeing, pcap incl_len
 *    300000 > 256 KiB): replay/inspect/bindings exit 1 with exactly one stderr line "<file>: at byte
 *    <n>: <why>"; replay's files hold what came before, reports.ndjson parseable and ending with a
 *    malformed-input report of the next frame; inspect prints the frames before the break.
 *  - a pcapng of the sample broken at its 301st EPB: exports and decisions byte-identical to those
 *    of the first 300 packets alone (workers 0 and 2), reports the same + the break report.
 *  - a file cut inside a record header / record data: exit 0, one warning line naming file and
 *    offset, one malformed-input report at the next frame.
 *  - empty file, pcap of 10 bytes, directory, missing file: exit 1, one line naming file and byte 0;
 *    a header-only pcap, a SHB-only and SHB+IDB-only pcapng: exit 0, 0 packets, empty files.
 *  - link layers: Linux cooked v1/v2 with odd protocol types and ARPHRD values, 802.1ad/802.1Q/
 *    0x9100 double and triple tags, Ethernet trailer padding, IPv4 options (4 and 40 bytes): every
 *    frame tshark decodes UDP in is decoded with the same addresses and ports.
 *  - BSD loopback (0, either byte order; AF 2/24/28/30) and OpenBSD loop (108): as tshark; AF 10/23
 *    are "other" in both.
 *  - IPv4 total length larger than the whole captured frame: counted and reported per frame.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { joinBytes } from '../../../native-free/bytes.js';
import { buildIpv4Packet, buildUdpDatagram, parseIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import {
  encodePcapFileHeader,
  encodePcapngBlock,
  encodePcapngEnhancedPacket,
  encodePcapngInterface,
  encodePcapngObsoletePacket,
  encodePcapngSectionHeader,
  encodePcapngSimplePacket,
  encodePcapRecord,
} from '../../../native-free/write.js';
import { loadPolicyFile } from '../../../src/policy/policy-file.js';
import { cli, readPcapRecords, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace } from '../e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const te = (s: string) => new TextEncoder().encode(s);
const cat = (...p: Uint8Array[]) => joinBytes(p);
const u16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);
const sip = te('OPTIONS sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\nFrom: <sip:a@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: c1@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n');
function rtp(seq: number): Uint8Array {
  const b = new Uint8Array(172);
  const dv = new DataView(b.buffer);
  b[0] = 0x80;
  dv.setUint16(2, seq);
  dv.setUint32(4, seq * 160);
  dv.setUint32(8, 0x1111);
  return b;
}
const rr = Uint8Array.of(0x80, 201, 0, 1, 0, 0, 0x11, 0x11);
const ipUdp = (payload: Uint8Array, sport: number, dport: number, extra: { options?: Uint8Array; totalLengthOverride?: number } = {}) => {
  const s = parseIpv4('10.0.0.1');
  const d = parseIpv4('10.0.0.2');
  return buildIpv4Packet({ src: s, dst: d, protocol: 17, payload: buildUdpDatagram(s, d, sport, dport, payload), ...extra });
};
const eth = (ip: Uint8Array) => wrapEthernet(0x0800, ip);
const FRAMES = [eth(ipUdp(sip, 5060, 5060)), eth(ipUdp(rtp(1), 40000, 40002)), eth(ipUdp(rr, 40001, 40003)), eth(ipUdp(rtp(2), 40000, 40002))];
const pcap = (frames: Uint8Array[], link = 1, o: { nanosecond?: boolean; bigEndian?: boolean; snapLen?: number } = {}) =>
  cat(encodePcapFileHeader(link, o), ...frames.map((d, i) => encodePcapRecord(1700000000 + i * 0.25, d, o)));
const epb = (d: Uint8Array, i: number, o: { bigEndian?: boolean } = {}, iface = 0) => encodePcapngEnhancedPacket(iface, BigInt(1700000000 + i) * 1000000n, d, o);

let n = 0;
async function file(name: string, bytes: Uint8Array): Promise<string> {
  const f = await ws.file(`${n++}-${name}`);
  await writeFile(f, bytes);
  return f;
}

function tshark(f: string): string[][] | null {
  try {
    const out = execFileSync('tshark', ['-r', f, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'ipv6.src'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // [frame, time, source address (IPv4 or IPv6), sport, dport]
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t')).map((r) => [r[0]!, r[1]!, r[2] || r[5] || '', r[3]!, r[4]!]);
  } catch {
    return null;
  }
}

type Inspected = { frame: number; ts: number; src?: string; sport?: number; dport?: number; proto: string };
async function inspectJson(f: string): Promise<{ code: number; lines: Inspected[]; stderr: string }> {
  const r = await cli('inspect', f, '--json');
  return { code: r.code, stderr: r.stderr, lines: r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Inspected) };
}

/** Every frame where tshark decoded UDP: the enforcer decoded the same frame, time, address and ports. */
async function sameAsTshark(f: string, opts: { skipTime?: boolean } = {}): Promise<void> {
  const rows = tshark(f);
  const { code, lines } = await inspectJson(f);
  expect(code).toBe(0);
  if (rows === null) return;
  const udp = rows.filter((r) => r[3] !== '');
  const mine = new Map(lines.map((l) => [l.frame, l]));
  for (const r of udp) {
    const l = mine.get(Number(r[0]));
    expect(l, `frame ${r[0]}`).toBeDefined();
    expect([l!.src, l!.sport, l!.dport], `frame ${r[0]}`).toEqual([r[2], Number(r[3]), Number(r[4])]);
    if (!opts.skipTime && r[1] !== '') expect(l!.ts, `frame ${r[0]}`).toBe(Math.round(Number(r[1]) * 1e6) / 1e6);
  }
}

describe('pcapng as written in the field', () => {
  it('three sections (one big-endian mid-file), SPB, OPB, ISB/NRB/DSB/unknown blocks, 2^-n resolutions and if_tsoffset: as tshark', async () => {
    const be = { bigEndian: true };
    const f = await file(
      'mixed.pcapng',
      cat(
        encodePcapngSectionHeader(),
        encodePcapngInterface(1),
        epb(FRAMES[0]!, 0),
        encodePcapngBlock(5, new Uint8Array(20)),
        encodePcapngSimplePacket(FRAMES[1]!),
        encodePcapngBlock(4, new Uint8Array(4)),
        encodePcapngObsoletePacket(0, 1700000002_000000n, FRAMES[2]!),
        encodePcapngBlock(0x0a, cat(Uint8Array.of(0x4b, 0x53, 0x4c, 0x54, 4, 0, 0, 0), te('abcd'))),
        encodePcapngBlock(0x77, new Uint8Array(8)),
        encodePcapngSectionHeader(be),
        encodePcapngInterface(1, be),
        epb(FRAMES[3]!, 3, be),
        encodePcapngSectionHeader(),
        encodePcapngInterface(1, { tsresol: 0x80 | 20 }),
        encodePcapngInterface(1, { tsresol: 0x80 | 30, tsoffset: 1700000000 }),
        encodePcapngEnhancedPacket(0, 1700000004n * (1n << 20n) + 123456n, FRAMES[1]!),
        encodePcapngEnhancedPacket(1, 5n * (1n << 30n) + 7n, FRAMES[2]!),
      ),
    );
    await sameAsTshark(f);
    const { lines } = await inspectJson(f);
    expect(lines.map((l) => [l.frame, l.ts])).toEqual([
      [1, 1700000000],
      [2, 1700000000], // SPB: the time of the record before it
      [3, 1700000002],
      [4, 1700000003],
      [5, 1700000004.117737],
      [6, 1700000005],
    ]);
  });

  it('a zero-length packet is counted and reported malformed at its frame; caplen above the snaplen is read whole', async () => {
    for (const f of [
      await file('zero.pcapng', cat(encodePcapngSectionHeader(), encodePcapngInterface(1, { snapLen: 64 }), epb(FRAMES[0]!, 0), epb(new Uint8Array(0), 1), epb(FRAMES[1]!, 2))),
      await file('zero.pcap', pcap([FRAMES[0]!, new Uint8Array(0), FRAMES[1]!], 1, { snapLen: 64 })),
    ]) {
      const out = await ws.file(`out-${n++}`);
      const r = await cli('replay', f, '--out', out, '--json', '--workers', '0');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ packets: 3, sip: 1, malformed: 1 });
      const reports = (await readFile(path.join(out, 'reports.ndjson'), 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; frame: number; detail: string });
      expect(reports).toEqual([expect.objectContaining({ type: 'malformed-input', frame: 2, detail: 'frame 2: Ethernet header cut short: 0 of 14 bytes at byte 0 of the record' })]);
      await sameAsTshark(f);
    }
  });
});

describe('pcap flavours', () => {
  it('nanosecond and big-endian files read as the µs little-endian one', async () => {
    const ref = await inspectJson(await file('le.pcap', pcap(FRAMES)));
    for (const o of [{ nanosecond: true }, { bigEndian: true }, { nanosecond: true, bigEndian: true }]) {
      const f = await file('x.pcap', pcap(FRAMES, 1, o));
      expect((await inspectJson(f)).lines).toEqual(ref.lines);
      await sameAsTshark(f);
    }
  });
});

describe('a capture broken mid-file', () => {
  const cases: { name: string; bytes: () => Uint8Array; at: number; why: string }[] = [
    {
      name: 'EPB naming an interface that does not exist',
      bytes: () => cat(encodePcapngSectionHeader(), encodePcapngInterface(1), epb(FRAMES[0]!, 0), epb(FRAMES[1]!, 1), epb(FRAMES[2]!, 2, {}, 3), epb(FRAMES[3]!, 3)),
      at: 28 + 20 + (32 + 240) + (32 + 216) + 8,
      why: 'packet on interface 3, but the section describes 1',
    },
    {
      name: 'block whose trailing length disagrees',
      bytes: () => {
        const bad = epb(FRAMES[2]!, 2);
        new DataView(bad.buffer).setUint32(bad.length - 4, bad.length + 4, true);
        return cat(encodePcapngSectionHeader(), encodePcapngInterface(1), epb(FRAMES[0]!, 0), epb(FRAMES[1]!, 1), bad, epb(FRAMES[3]!, 3));
      },
      at: 28 + 20 + (32 + 240) + (32 + 216) + 84 - 4,
      why: 'block length mismatch: header says 84, trailer says 88',
    },
    {
      name: 'pcap record of 300000 bytes',
      bytes: () => cat(encodePcapFileHeader(1), encodePcapRecord(1700000000, FRAMES[0]!), encodePcapRecord(1700000001, FRAMES[1]!), encodePcapRecord(1700000002, new Uint8Array(300000)), encodePcapRecord(1700000003, FRAMES[3]!)),
      at: 24 + (16 + 240) + (16 + 214),
      why: 'absurd record length 300000 (limit 262144)',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: exit 1, one line naming the file and byte ${c.at}; what came before is kept`, async () => {
      const f = await file('broken', c.bytes());
      const line = `${f}: at byte ${c.at}: ${c.why}`;
      const out = await ws.file(`out-${n++}`);
      const r = await cli('replay', f, '--out', out, '--json', '--workers', '2');
      expect([r.code, r.stderr]).toEqual([1, `aipref-enforcer replay: ${line}\n`]);
      // the summary of what was read before the break (was: nothing on stdout, found by a
      // review of the capture inputs and left then, done since)
      expect(JSON.parse(r.stdout)).toMatchObject({ packets: 2, malformed: 1, reports: { 'malformed-input': 1 } });
      const human = await cli('replay', f, '--out', await ws.file(`out-${n++}`), '--workers', '0');
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/^2 packets \(.*\n.*\n.*\nwritten to .* \(exports\.ndjson 0 lines, reports\.ndjson 1 lines\) — stopped where the capture broke\n$/);
      const reports = (await readFile(path.join(out, 'reports.ndjson'), 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; frame: number; detail: string });
      expect(reports.at(-1)).toEqual({ type: 'malformed-input', ts: 1700000001, frame: 3, dialog: null, detail: `${c.why} (byte ${c.at}): the capture cannot be read past here` });
      const i = await cli('inspect', f);
      expect(i.code).toBe(1);
      expect(i.stdout.split('\n').filter((l) => l !== '').map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2']);
      expect(i.stderr).toBe(`aipref-enforcer inspect: ${line}\n`);
      const b = await cli('bindings', f, '--json');
      expect([b.code, b.stderr]).toEqual([1, `aipref-enforcer bindings: ${line}\n`]);
    });
  }

  it('the sample as pcapng broken at its 301st EPB: the same exports and decisions as its first 300 packets (workers 0 and 2)', async () => {
    const { records } = await readPcapRecords(SMALL_PCAP);
    const epbs = records.map((r) => encodePcapngEnhancedPacket(0, BigInt(Math.round(r.ts * 1e6)), r.data));
    const broken = epbs[300]!.slice();
    new DataView(broken.buffer).setUint32(broken.length - 4, broken.length + 4, true);
    const head = [encodePcapngSectionHeader(), encodePcapngInterface(1), ...epbs.slice(0, 300)];
    const f = await file('small-broken.pcapng', cat(...head, broken, ...epbs.slice(301)));
    const g = await file('small-300.pcapng', cat(...head));
    const policy = await loadPolicyFile(SMALL_POLICY);
    const first = await replayLines({ capture: g, policy, workers: 0 });
    for (const workers of [0, 2]) {
      await expect(replayLines({ capture: f, policy, workers })).rejects.toThrow(/block length mismatch/);
      const out = await ws.file(`out-${n++}`);
      await mkdir(out, { recursive: true });
      const r = await cli('replay', f, '--policy', SMALL_POLICY, '--out', out, '--explain', '--json', '--workers', String(workers));
      expect(r.code).toBe(1);
      // summed up as the first 300 packets are, and the break's report
      const m = first.result.summary.reports['malformed-input'] ?? 0;
      expect(JSON.parse(r.stdout)).toEqual({ ...first.result.summary, malformed: m + 1, reports: { ...first.result.summary.reports, 'malformed-input': m + 1 } });
      const lines = async (name: string) => (await readFile(path.join(out, name), 'utf8')).split('\n').filter((l) => l !== '');
      expect(await lines('exports.ndjson')).toEqual(first.exports);
      expect(await lines('decisions.ndjson')).toEqual(first.decisions);
      const reports = await lines('reports.ndjson');
      expect(reports.slice(0, -1)).toEqual(first.reports);
      expect(JSON.parse(reports.at(-1)!)).toMatchObject({ type: 'malformed-input', frame: 301 });
    }
  });
});

describe('files cut short, empty, or no capture at all', () => {
  it('cut inside a record header / inside record data: exit 0, one warning, one malformed-input at the next frame', async () => {
    const full = pcap(FRAMES);
    const last = 16 + FRAMES[3]!.length;
    for (const [bytes, why] of [
      [full.subarray(0, full.length - last + 7), 'record cut short: 7 of 16 header bytes'],
      [full.subarray(0, full.length - 30), `record cut short: ${FRAMES[3]!.length - 30} of ${FRAMES[3]!.length} data bytes`],
    ] as const) {
      const f = await file('cut.pcap', bytes);
      const out = await ws.file(`out-${n++}`);
      const r = await cli('replay', f, '--out', out, '--json', '--workers', '0');
      const at = full.length - last;
      expect([r.code, r.stderr]).toEqual([0, `aipref-enforcer replay: ${f}: at byte ${at}: ${why}\n`]);
      expect(JSON.parse(r.stdout)).toMatchObject({ packets: 3, malformed: 1 });
      const reports = (await readFile(path.join(out, 'reports.ndjson'), 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(reports.filter((x) => x.type === 'malformed-input')).toEqual([{ type: 'malformed-input', ts: 1700000000.5, frame: 4, dialog: null, detail: `${why} (byte ${at})` }]);
    }
  });

  it('not a capture: exit 1, one line naming the file and byte 0, from replay, inspect and bindings', async () => {
    const dir = await ws.file('a-folder');
    await mkdir(dir);
    const cases: [string, string][] = [
      [await file('empty.pcap', new Uint8Array(0)), 'empty file: not a capture'],
      [await file('short.pcap', encodePcapFileHeader(1).subarray(0, 10)), 'truncated file header: 10 of 24 bytes'],
      [dir, 'cannot read: EISDIR: illegal operation on a directory, read'],
      [await ws.file('missing.pcap'), 'cannot open: ENOENT: no such file or directory'],
    ];
    for (const [f, why] of cases) {
      for (const command of ['replay', 'inspect', 'bindings']) {
        const out = await ws.file(`out-${n++}`);
        const r = await cli(command, f, ...(command === 'replay' ? ['--out', out] : []));
        expect([r.code, r.stdout, r.stderr], `${command} ${f}`).toEqual([1, '', `aipref-enforcer ${command}: ${f}: at byte 0: ${why}\n`]);
      }
    }
  });

  it('header-only files: exit 0, 0 packets', async () => {
    for (const bytes of [encodePcapFileHeader(1), encodePcapngSectionHeader(), cat(encodePcapngSectionHeader(), encodePcapngInterface(1))]) {
      const f = await file('hdr', bytes);
      const out = await ws.file(`out-${n++}`);
      const r = await cli('replay', f, '--out', out, '--json', '--workers', '0');
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(JSON.parse(r.stdout)).toMatchObject({ packets: 0, malformed: 0 });
      expect(await readFile(path.join(out, 'reports.ndjson'), 'utf8')).toBe('');
    }
  });
});

describe('link layers tshark decodes UDP in', () => {
  const rtpIp = (s: number) => ipUdp(rtp(s), 40000, 40002);
  const sll1 = (proto: number, payload: Uint8Array, arphrd = 1, ptype = 0) => cat(u16(ptype), u16(arphrd), u16(6), Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 0), u16(proto), payload);
  const sll2 = (proto: number, payload: Uint8Array, arphrd = 1, ptype = 0) => cat(u16(proto), u16(0), Uint8Array.of(0, 0, 0, 2), u16(arphrd), Uint8Array.of(ptype, 6), Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 0), payload);
  const ethRaw = (type: number, payload: Uint8Array) => cat(Uint8Array.of(2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1), u16(type), payload);

  it('Linux cooked v1 and v2 with odd protocol types and ARPHRD values', async () => {
    const rrIp = ipUdp(rr, 40001, 40003);
    await sameAsTshark(
      await file('sll1.pcap', pcap([sll1(0x0800, ipUdp(sip, 5060, 5060)), sll1(0x0800, rtpIp(2), 0xfffe, 4), sll1(0x0800, rtpIp(3), 778, 3), sll1(0x0010, rtpIp(4), 824), sll1(0x8100, cat(u16(5), u16(0x0800), rrIp)), sll1(0x0800, rtpIp(5), 772)], 113)),
    );
    await sameAsTshark(await file('sll2.pcap', pcap([sll2(0x0800, ipUdp(sip, 5060, 5060)), sll2(0x0004, rtpIp(1)), sll2(0x0800, rtpIp(2), 0xfffe, 4), sll2(0x8100, cat(u16(5), u16(0x0800), rrIp)), sll2(0x0800, rtpIp(5), 772)], 276)));
  });

  it('802.1ad + 802.1Q, 0x9100, triple tags; trailer padding; IPv4 options', async () => {
    const frames = [
      ethRaw(0x88a8, cat(u16(10), u16(0x8100), u16(20), u16(0x0800), ipUdp(sip, 5060, 5060))),
      ethRaw(0x8100, cat(u16(10), u16(0x8100), u16(20), u16(0x0800), rtpIp(1))),
      ethRaw(0x9100, cat(u16(10), u16(0x8100), u16(20), u16(0x0800), rtpIp(2))),
      ethRaw(0x88a8, cat(u16(10), u16(0x88a8), u16(11), u16(0x8100), u16(20), u16(0x0800), ipUdp(rr, 40001, 40003))),
      ethRaw(0x0800, cat(ipUdp(rr, 40001, 40003), new Uint8Array(10).fill(0xff))),
      ethRaw(0x0800, cat(rtpIp(3), Uint8Array.of(0x80, 0xc9, 0, 1))),
      ethRaw(0x0800, ipUdp(rtp(4), 40000, 40002, { options: Uint8Array.of(0x94, 4, 0, 0) })),
      ethRaw(0x0800, ipUdp(rtp(5), 40000, 40002, { options: new Uint8Array(40).fill(1) })),
    ];
    const f = await file('tags.pcap', pcap(frames));
    await sameAsTshark(f);
    const r = await cli('replay', f, '--out', await ws.file(`out-${n++}`), '--json', '--workers', '0');
    expect(JSON.parse(r.stdout)).toMatchObject({ packets: 8, sip: 1, rtcp: 2, malformed: 0 });
  });

  it('BSD loopback in either byte order, OpenBSD loop', async () => {
    const s6 = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1);
    const d6 = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2);
    const udp6 = buildUdpDatagram(s6, d6, 40000, 40002, rtp(1));
    const ip6 = cat(Uint8Array.of(0x60, 0, 0, 0), u16(udp6.length), Uint8Array.of(17, 64), s6, d6, udp6);
    const le = (v: number) => Uint8Array.of(v, 0, 0, 0);
    const be = (v: number) => Uint8Array.of(0, 0, 0, v);
    const ip4 = rtpIp(2);
    await sameAsTshark(await file('null.pcap', pcap([cat(le(2), ip4), cat(be(2), ip4), cat(le(24), ip6), cat(be(28), ip6), cat(le(30), ip6), cat(le(10), ip6)], 0)));
    await sameAsTshark(await file('loop.pcap', pcap([cat(be(2), ip4), cat(be(24), ip6), cat(be(28), ip6), cat(be(30), ip6)], 108)));
  });

  it('IPv4 total length larger than the whole captured frame: counted and reported per frame', async () => {
    const big = (p: Uint8Array, sport: number, dport: number, extra: number) => ipUdp(p, sport, dport, { totalLengthOverride: 20 + 8 + p.length + extra });
    const f = await file('totlen.pcap', pcap([eth(ipUdp(sip, 5060, 5060)), eth(big(rtp(1), 40000, 40002, 10)), eth(big(rr, 40001, 40003, 4))]));
    const out = await ws.file(`out-${n++}`);
    const r = await cli('replay', f, '--out', out, '--json', '--workers', '0');
    expect(JSON.parse(r.stdout)).toMatchObject({ packets: 3, sip: 1, malformed: 2 });
    const reports = (await readFile(path.join(out, 'reports.ndjson'), 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { frame: number; detail: string });
    expect(reports.map((x) => x.detail)).toEqual([
      'frame 2: IPv4 total length 210 exceeds the 200 bytes captured at byte 16 of the record',
      'frame 3: IPv4 total length 40 exceeds the 36 bytes captured at byte 16 of the record',
    ]);
  });
});
