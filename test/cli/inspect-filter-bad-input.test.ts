/**
 * `inspect --filter <bpf>` (through the optional native pcap package) reads a capture as an
 * unfiltered read does: a file damaged mid-way stops it with exit 1 and one line naming the
 * file and the byte offset, and a last record cut short is warned of (libpcap ended quietly at
 * the damage: the run was a clean, shorter one, exit 0); a filter libpcap cannot compile is bad
 * usage, exit 2, in one line naming --filter and the expression (it was exit 1 with libpcap's
 * bare "can't parse filter expression: syntax error"); a file that is no capture (or an empty
 * one) is refused in the same line as without the filter (it was libpcap's "unknown file
 * format", naming neither file nor offset).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNativePcapAvailable } from '../../src/sources/native-pcap.js';
import { cli, SMALL_PCAP } from '../e2e/e2e-helpers.js';

const available = await isNativePcapAvailable();
let dir = '';
let damaged = '';
let damagedOffset = 0;
let cut = '';
let cutOffset = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'readme-filter-'));
  const bytes = Buffer.from(await readFile(SMALL_PCAP));
  // record 200's captured length made absurd (classic little-endian pcap: 24-byte header, 16-byte record headers)
  let at = 24;
  for (let frame = 1; frame < 200; frame++) at += 16 + bytes.readUInt32LE(at + 8);
  damagedOffset = at;
  const copy = Buffer.from(bytes);
  copy.writeUInt32LE(0x7fffffff, at + 8);
  damaged = path.join(dir, 'damaged.pcap');
  await writeFile(damaged, copy);
  // the file cut in the middle of a record
  cut = path.join(dir, 'cut.pcap');
  await writeFile(cut, bytes.subarray(0, 100_000));
  let c = 24;
  while (c + 16 + bytes.readUInt32LE(c + 8) <= 100_000) c += 16 + bytes.readUInt32LE(c + 8);
  cutOffset = c;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(!available)('inspect --filter on a damaged capture', () => {
  it('without --filter: exit 1, one line naming the file and the byte offset (the reference)', async () => {
    const r = await cli('inspect', damaged, '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${damaged}: at byte ${damagedOffset}`)]);
  });

  it('with --filter udp: the same exit 1 and the same line, not exit 0 after frame 199', async () => {
    const r = await cli('inspect', damaged, '--quiet', '--filter', 'udp');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${damaged}: at byte ${damagedOffset}`)]);
    expect(r.code).toBe(1);
  });

  it('with --filter udp: a last record cut short is reported on stderr, as without the filter', async () => {
    const plain = await cli('inspect', cut, '--quiet');
    expect(plain.stderr).toContain(`${cut}: at byte ${cutOffset}: record cut short`);
    const filtered = await cli('inspect', cut, '--quiet', '--filter', 'udp');
    expect(filtered.stderr).toContain(`${cut}: at byte ${cutOffset}: record cut short`);
  });
});

describe.skipIf(!available)('inspect --filter with an expression that does not compile', () => {
  it('is bad usage (exit 2) in one line naming --filter and the expression', async () => {
    const r = await cli('inspect', SMALL_PCAP, '--filter', 'udp prot 5060');
    expect(r.stderr.split('\n')[0]).toMatch(/--filter/);
    expect(r.stderr.split('\n')[0]).toContain('udp prot 5060');
    expect(r.code).toBe(2);
  });
});

describe.skipIf(!available)('inspect --filter on a file that is no capture', () => {
  for (const [what, bytes] of [
    ['JSON text', '{\n  "apts": {}\n}\n'],
    ['an empty file', ''],
  ] as const) {
    it(`${what}: the same one line naming the file and byte offset as without --filter`, async () => {
      const file = path.join(dir, `${what.replace(/ /g, '-')}.pcap`);
      await writeFile(file, bytes);
      const plain = await cli('inspect', file, '--quiet');
      expect(plain.code).toBe(1);
      expect(plain.stderr).toContain(`${file}: at byte 0:`);
      const filtered = await cli('inspect', file, '--quiet', '--filter', 'udp');
      expect([filtered.code, filtered.stderr]).toEqual([plain.code, plain.stderr]);
    });
  }
});
