/**
 * Capture-format checks that came out fine (byte-exact reading against tshark 4.0): every file
 * is built from samples/call-small.pcap's records; `inspect --json` frames and times are compared
 * with `tshark -T fields -e frame.number -e frame.time_epoch` (rounded half up to the µs).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodePcapFileHeader,
  encodePcapngBlock,
  encodePcapngInterface,
  encodePcapngObsoletePacket,
  encodePcapngSectionHeader,
  encodePcapngSimplePacket,
} from '../../../native-free/write.js';
import { epochToMicros, joinBytes, run, sampleRecords, SMALL_PCAP, SMALL_POLICY, tsharkRows, type SampleRecord } from './helpers.js';

let dir: string;
let recs: SampleRecord[];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cfr-pass-'));
  recs = sampleRecords();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// ---- builders -------------------------------------------------------------------------------

/** a pcap record in either byte order; `frac` in µs or ns as the file's magic says */
function pcapRecord(sec: number, frac: number, data: Uint8Array, le: boolean, inclLen = data.length, origLen = data.length): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, sec, le);
  dv.setUint32(4, frac, le);
  dv.setUint32(8, inclLen, le);
  dv.setUint32(12, origLen, le);
  out.set(data, 16);
  return out;
}

function option(code: number, value: Uint8Array, le: boolean): Uint8Array {
  const out = new Uint8Array(4 + ((value.length + 3) & ~3));
  const dv = new DataView(out.buffer);
  dv.setUint16(0, code, le);
  dv.setUint16(2, value.length, le);
  out.set(value, 4);
  return out;
}

/** an EPB with a comment and an epb_flags (direction) option */
function epbWithOptions(iface: number, units: bigint, data: Uint8Array, le: boolean, inbound: boolean): Uint8Array {
  const padded = (data.length + 3) & ~3;
  const flags = new Uint8Array(4);
  new DataView(flags.buffer).setUint32(0, inbound ? 1 : 2, le);
  const opts = joinBytes([option(1, new TextEncoder().encode('a comment'), le), option(2, flags, le), new Uint8Array(4)]);
  const body = new Uint8Array(20 + padded + opts.length);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, iface, le);
  dv.setUint32(4, Number(units >> 32n), le);
  dv.setUint32(8, Number(units & 0xffffffffn), le);
  dv.setUint32(12, data.length, le);
  dv.setUint32(16, data.length, le);
  body.set(data, 20);
  body.set(opts, 20 + padded);
  return encodePcapngBlock(6, body, { bigEndian: !le });
}

/** blocks that carry no packet: name resolution, interface statistics, decryption secrets */
function nonPacketBlocks(le: boolean, units: bigint): Uint8Array[] {
  const nrbRecord = joinBytes([option(1, Uint8Array.of(10, 1, 0, 1, ...new TextEncoder().encode('host.example'), 0), le), new Uint8Array(4)]);
  const isb = new Uint8Array(12);
  const dv = new DataView(isb.buffer);
  dv.setUint32(4, Number(units >> 32n), le);
  dv.setUint32(8, Number(units & 0xffffffffn), le);
  const secret = new TextEncoder().encode('CLIENT_RANDOM aa bb\n');
  const dsb = new Uint8Array(8 + secret.length);
  new DataView(dsb.buffer).setUint32(0, 0x544c534b, le);
  new DataView(dsb.buffer).setUint32(4, secret.length, le);
  dsb.set(secret, 8);
  return [4, 5, 10].map((t, i) => encodePcapngBlock(t, [nrbRecord, isb, dsb][i]!, { bigEndian: !le }));
}

function unitsPerSecond(tsresol: number): bigint {
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

/** a record's time in an interface's units (rounded to the nearest unit), minus its offset */
function unitsOf(r: SampleRecord, tsresol: number, offset: number): bigint {
  const u = unitsPerSecond(tsresol);
  return BigInt(r.sec - offset) * u + (BigInt(r.usec) * u + 500_000n) / 1_000_000n;
}

async function inspectRows(file: string): Promise<{ frame: number; ts: number }[]> {
  const r = await run(['inspect', file, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { frame: number; ts: number });
}

/** inspect's frames and times against tshark's; frames tshark gives no time (SPB) are returned */
async function expectTimesAsTshark(file: string, frames: number): Promise<number[]> {
  const ours = await inspectRows(file);
  expect(ours.map((o) => o.frame)).toEqual(Array.from({ length: frames }, (_, i) => i + 1));
  const rows = tsharkRows(file, ['frame.number', 'frame.time_epoch']);
  const untimed: number[] = [];
  if (rows === null) return untimed;
  expect(rows.length).toBe(frames);
  for (const [frame, epoch] of rows) {
    if (epoch === '') {
      untimed.push(Number(frame));
      continue;
    }
    expect({ frame: Number(frame), ts: ours[Number(frame) - 1]!.ts }).toEqual({ frame: Number(frame), ts: epochToMicros(epoch!) });
  }
  return untimed;
}

// ---- checks ---------------------------------------------------------------------------------

describe('classic pcap', () => {
  // both byte orders, µs and ns magic; ns fractions with sub-µs digits, the half-µs case and one
  // that rounds up into the next second
  for (const le of [true, false]) {
    for (const ns of [false, true]) {
      it(`${le ? 'little' : 'big'}-endian, ${ns ? 'ns (0xa1b23c4d)' : 'µs'}: frames and times as tshark's`, async () => {
        const file = path.join(dir, `p-${le}-${ns}.pcap`);
        const parts = [encodePcapFileHeader(1, { nanosecond: ns, bigEndian: !le })];
        recs.slice(0, 120).forEach((r, i) => {
          let frac = ns ? r.usec * 1000 + ((i * 337) % 1000) : r.usec;
          if (ns && i === 5) frac = 999_999_500;
          if (ns && i === 6) frac = 999_999_499;
          if (ns && i === 7) frac = 500;
          parts.push(pcapRecord(r.sec, frac, r.data, le));
        });
        await writeFile(file, joinBytes(parts));
        await expectTimesAsTshark(file, 120);
      });
    }
  }

  // a record longer than the header's snaplen, and one whose incl_len exceeds its orig_len: tshark
  // reads both whole (the second flagged malformed), so do we
  it('incl_len above the snaplen and above orig_len: read whole, as tshark reads them', async () => {
    const file = path.join(dir, 'odd-lengths.pcap');
    const parts = [encodePcapFileHeader(1, { snapLen: 96 })];
    recs.slice(0, 60).forEach((r, i) => parts.push(pcapRecord(r.sec, r.usec, r.data, true, r.data.length, i === 9 ? 60 : r.data.length)));
    await writeFile(file, joinBytes(parts));
    await expectTimesAsTshark(file, 60);
    const line10 = (await run(['inspect', file, '--json'])).stdout.split('\n')[9]!;
    expect(JSON.parse(line10)).toMatchObject({ frame: 10, proto: 'sip' });
    expect(JSON.parse(line10).cut).toBeUndefined();
  });

  // a file cut in its last record: the whole records before it, then one line naming the file and
  // the record's byte offset (tshark: "cut short in the middle of a packet", same frames)
  it('a last record cut short: tshark\'s frames, then one warning with the file and offset', async () => {
    const file = path.join(dir, 'cut.pcap');
    const parts = [encodePcapFileHeader(1), ...recs.slice(0, 60).map((r) => pcapRecord(r.sec, r.usec, r.data, true))];
    const whole = joinBytes(parts);
    const lastAt = whole.length - parts.at(-1)!.length;
    await writeFile(file, whole.subarray(0, whole.length - 30));
    const r = await run(['inspect', file, '--json']);
    expect(r.stdout.trim().split('\n')).toHaveLength(59);
    expect(r.stderr.trim()).toBe(`aipref-enforcer inspect: ${file}: at byte ${lastAt}: record cut short: ${recs[59]!.data.length - 30} of ${recs[59]!.data.length} data bytes`);
    const rows = tsharkRows(file, ['frame.number']);
    if (rows !== null) expect(rows.length).toBe(59);
  });

  // a record with an impossible length after 300: replay's outputs are those of the 300 records
  // alone plus the break's malformed-input at frame 301; exit 1 with file and offset; any workers
  it('a capture broken mid-file: what came before is decided exactly as without the rest (workers 0 and 2)', async () => {
    const whole = new Uint8Array(await readFile(SMALL_PCAP));
    const recordAt: number[] = [];
    const dv = new DataView(whole.buffer, whole.byteOffset);
    for (let at = 24; at < whole.length; at += 16 + dv.getUint32(at + 8, true)) recordAt.push(at);
    const first = path.join(dir, 'first300.pcap');
    const broken = path.join(dir, 'broken.pcap');
    await writeFile(first, whole.subarray(0, recordAt[300]));
    const copy = whole.slice();
    new DataView(copy.buffer).setUint32(recordAt[300]! + 8, 300_000, true);
    await writeFile(broken, copy);
    const ref = path.join(dir, 'o-first');
    expect((await run(['replay', first, '--policy', SMALL_POLICY, '--out', ref, '--workers', '0', '--explain', '--quiet'])).code).toBe(0);
    const refFiles = await Promise.all(['exports', 'reports', 'decisions'].map((n) => readFile(path.join(ref, `${n}.ndjson`), 'utf8')));
    for (const workers of ['0', '2']) {
      const out = path.join(dir, `o-broken-${workers}`);
      const r = await run(['replay', broken, '--policy', SMALL_POLICY, '--out', out, '--workers', workers, '--explain', '--quiet']);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`aipref-enforcer replay: ${broken}: at byte ${recordAt[300]}: absurd record length 300000 (limit 262144)`);
      const got = await Promise.all(['exports', 'reports', 'decisions'].map((n) => readFile(path.join(out, `${n}.ndjson`), 'utf8')));
      expect(got[0]).toBe(refFiles[0]);
      expect(got[2]).toBe(refFiles[2]);
      const lines = got[1]!.trim().split('\n');
      expect(lines.slice(0, -1).join('\n') + '\n').toBe(refFiles[1]);
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'malformed-input', frame: 301 });
    }
  });
});

describe('pcapng', () => {
  /**
   * Three sections (little-, big-, little-endian), each with its own two interfaces (ids restart
   * at 0): if_tsresol 10^-9, 2^-20 with if_tsoffset 100, 10^-6 with if_tsoffset −3600, 2^-32;
   * 10^-6 and 10^-9 with if_tsoffset 50. Every EPB has a comment and epb_flags options; NRB,
   * ISB and DSB blocks between them.
   */
  const sections: { le: boolean; ifs: [number, number][] }[] = [
    { le: true, ifs: [[9, 0], [0x80 | 20, 100]] },
    { le: false, ifs: [[6, -3600], [0x80 | 32, 0]] },
    { le: true, ifs: [[6, 0], [9, 50]] },
  ];
  function multiSection(records: SampleRecord[]): Uint8Array {
    const parts: Uint8Array[] = [];
    sections.forEach(({ le, ifs }, s) => {
      parts.push(encodePcapngSectionHeader({ bigEndian: !le }));
      for (const [tsresol, tsoffset] of ifs) parts.push(encodePcapngInterface(1, { bigEndian: !le, tsresol, ...(tsoffset !== 0 ? { tsoffset } : {}) }));
      records.forEach((r, i) => {
        if (Math.floor((i * sections.length) / records.length) !== s) return;
        const k = i % 2;
        const units = unitsOf(r, ifs[k]![0], ifs[k]![1]);
        if (i % 50 === 0) parts.push(...nonPacketBlocks(le, units));
        parts.push(epbWithOptions(k, units, r.data, le, i % 4 === 0));
      });
    });
    return joinBytes(parts);
  }

  it('several sections of either byte order, interfaces per section, tsresol/tsoffset, options: frames and times as tshark\'s', async () => {
    const file = path.join(dir, 'multi.pcapng');
    await writeFile(file, multiSection(recs));
    await expectTimesAsTshark(file, recs.length);
  });

  it('the same capture as pcapng sections gives byte-identical replay outputs to the plain pcap (workers 0 and 2)', async () => {
    const file = path.join(dir, 'multi2.pcapng');
    await writeFile(file, multiSection(recs));
    const ref = path.join(dir, 'o-plain');
    expect((await run(['replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', ref, '--workers', '0', '--explain', '--quiet'])).code).toBe(0);
    for (const workers of ['0', '2']) {
      const out = path.join(dir, `o-multi-${workers}`);
      expect((await run(['replay', file, '--policy', SMALL_POLICY, '--out', out, '--workers', workers, '--explain', '--quiet'])).code).toBe(0);
      for (const n of ['exports', 'reports', 'decisions']) {
        expect(await readFile(path.join(out, `${n}.ndjson`), 'utf8')).toBe(await readFile(path.join(ref, `${n}.ndjson`), 'utf8'));
      }
    }
  });

  // obsolete Packet Blocks (type 2) and Simple Packet Blocks in a big-endian section after a
  // little-endian one: frames as tshark's; OPB times as tshark's; an SPB (tshark: no time) takes
  // the time of the packet before it, as the README says
  it('OPB and SPB in a second, big-endian section', async () => {
    const file = path.join(dir, 'opb-spb.pcapng');
    const parts: Uint8Array[] = [encodePcapngSectionHeader(), encodePcapngInterface(1)];
    const micros = (r: SampleRecord) => BigInt(r.sec) * 1_000_000n + BigInt(r.usec);
    recs.slice(0, 30).forEach((r) => parts.push(epbWithOptions(0, micros(r), r.data, true, true)));
    parts.push(encodePcapngSectionHeader({ bigEndian: true }), encodePcapngInterface(1, { bigEndian: true, tsresol: 3 }), encodePcapngInterface(1, { bigEndian: true }));
    recs.slice(30, 90).forEach((r, i) => {
      if (i % 3 === 0) parts.push(encodePcapngObsoletePacket(1, micros(r), r.data, { bigEndian: true }));
      else if (i % 3 === 1) parts.push(encodePcapngSimplePacket(r.data, { bigEndian: true }));
      else parts.push(epbWithOptions(0, BigInt(r.sec) * 1000n + BigInt(Math.floor(r.usec / 1000)), r.data, false, false));
    });
    await writeFile(file, joinBytes(parts));
    const untimed = await expectTimesAsTshark(file, 90);
    const ours = await inspectRows(file);
    expect(untimed.length).toBe(tsharkRows(file, ['frame.number']) === null ? 0 : 20);
    for (const f of untimed) expect(ours[f - 1]!.ts).toBe(ours[f - 2]!.ts);
  });

  // damaged blocks stop the read as tshark stops it: same frames before, exit 1, one line naming
  // the file and the byte offset
  const damaged: { name: string; make: (b: Uint8Array, dv: DataView, at: number, len: number) => Uint8Array; where: (at: number, len: number) => number; says: RegExp }[] = [
    { name: 'total lengths disagree', make: (b, dv, at, len) => (dv.setUint32(at + len - 4, len + 4, true), b), where: (at, len) => at + len - 4, says: /block length mismatch: header says \d+, trailer says \d+/ },
    { name: 'a length not a multiple of 4', make: (b, dv, at, len) => (dv.setUint32(at + 4, len + 2, true), b), where: (at) => at + 4, says: /bad block length \d+/ },
    { name: 'a captured length past its block', make: (b, dv, at) => (dv.setUint32(at + 20, dv.getUint32(at + 20, true) + 100, true), b), where: (at) => at + 20, says: /captured length \d+ overruns its block/ },
    { name: 'an interface id the section does not describe', make: (b, dv, at) => (dv.setUint32(at + 8, 3, true), b), where: (at) => at + 8, says: /packet on interface 3, but the section describes 1/ },
  ];
  for (const d of damaged) {
    it(`${d.name}: tshark's 30 frames, then exit 1 naming the file and offset`, async () => {
      const file = path.join(dir, `damaged-${d.name.replace(/\W+/g, '-')}.pcapng`);
      const blocks = [encodePcapngSectionHeader(), encodePcapngInterface(1), ...recs.slice(0, 60).map((r) => epbWithOptions(0, BigInt(r.sec) * 1_000_000n + BigInt(r.usec), r.data, true, true))];
      const bytes = joinBytes(blocks);
      const at = blocks.slice(0, 32).reduce((n, b) => n + b.length, 0);
      const len = blocks[32]!.length;
      await writeFile(file, d.make(bytes, new DataView(bytes.buffer), at, len));
      const r = await run(['inspect', file, '--json']);
      expect(r.code).toBe(1);
      expect(r.stdout.trim().split('\n')).toHaveLength(30);
      expect(r.stderr).toContain(`${file}: at byte ${d.where(at, len)}: `);
      expect(r.stderr).toMatch(d.says);
      const rows = tsharkRows(file, ['frame.number']);
      if (rows !== null) expect(rows.length).toBe(30);
    });
  }
});
