import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PcapWriter, encodePcapFileHeader, encodePcapRecord } from '../../native-free/write.js';
import { buildEthernetIpv4Udp, buildIpv4Tcp, buildIpv6Udp, TcpFlag } from '../../native-free/frame-builder.js';

const hello = new TextEncoder().encode('hello');

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('PcapWriter', () => {
  it('writes the file header and records, little-endian microseconds', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pcapw-'));
    const file = path.join(dir, 'a.pcap');
    try {
      const w = await PcapWriter.open(file, { linkType: 1, snapLen: 65535 });
      w.write(1700000000.5, Uint8Array.of(1, 2, 3));
      w.write(1700000001.9999996, Uint8Array.of(4), 60);
      await w.close();
      const bytes = readFileSync(file);
      expect([...bytes.subarray(0, 24)]).toEqual([
        0xd4, 0xc3, 0xb2, 0xa1, // magic, µs, little-endian
        2, 0, 4, 0, // version 2.4
        0, 0, 0, 0, 0, 0, 0, 0, // thiszone, sigfigs
        0xff, 0xff, 0, 0, // snaplen 65535
        1, 0, 0, 0, // LINKTYPE_ETHERNET
      ]);
      const dv = new DataView(bytes.buffer, bytes.byteOffset);
      expect(dv.getUint32(24, true)).toBe(1700000000);
      expect(dv.getUint32(28, true)).toBe(500000);
      expect(dv.getUint32(32, true)).toBe(3);
      expect(dv.getUint32(36, true)).toBe(3);
      // rounding 0.9999996 s carries into the seconds
      expect(dv.getUint32(43, true)).toBe(1700000002);
      expect(dv.getUint32(47, true)).toBe(0);
      expect(dv.getUint32(51, true)).toBe(1);
      expect(dv.getUint32(55, true)).toBe(60);
      expect(bytes.length).toBe(24 + 19 + 17);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cuts records to the snap length and keeps orig_len', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pcapw-'));
    const file = path.join(dir, 'a.pcap');
    try {
      const w = await PcapWriter.open(file, { linkType: 101, snapLen: 4, nanosecond: true });
      w.write(1.000000001, new Uint8Array(10));
      await w.close();
      const bytes = readFileSync(file);
      const dv = new DataView(bytes.buffer, bytes.byteOffset);
      expect(dv.getUint32(0, true)).toBe(0xa1b23c4d);
      expect(dv.getUint32(28, true)).toBe(1);
      expect(dv.getUint32(32, true)).toBe(4);
      expect(dv.getUint32(36, true)).toBe(10);
      expect(bytes.length).toBe(24 + 16 + 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a record larger than its buffer on its own, in order with the buffered ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pcapw-'));
    const file = path.join(dir, 'a.pcap');
    try {
      const w = await PcapWriter.open(file, { linkType: 1, chunkBytes: 65536 });
      w.write(1, Uint8Array.of(1));
      w.write(2, new Uint8Array(100_000).fill(7));
      w.write(3, Uint8Array.of(3));
      await w.close();
      const bytes = readFileSync(file);
      const dv = new DataView(bytes.buffer, bytes.byteOffset);
      expect(bytes.length).toBe(24 + 17 + 16 + 100_000 + 17);
      expect(dv.getUint32(24 + 17, true)).toBe(2);
      expect(dv.getUint32(24 + 17 + 8, true)).toBe(100_000);
      expect(dv.getUint32(24 + 17 + 16 + 100_000, true)).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses writes after close', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pcapw-'));
    try {
      const w = await PcapWriter.open(path.join(dir, 'a.pcap'), { linkType: 1 });
      await w.close();
      expect(() => w.write(0, hello)).toThrow(/after close/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('encodes big-endian headers for reader tests', () => {
    expect([...encodePcapFileHeader(1, { bigEndian: true }).subarray(0, 4)]).toEqual([0xa1, 0xb2, 0xc3, 0xd4]);
    expect([...encodePcapRecord(2.5, Uint8Array.of(9), { bigEndian: true })]).toEqual([
      0, 0, 0, 2, 0, 0x07, 0xa1, 0x20, 0, 0, 0, 1, 0, 0, 0, 1, 9,
    ]);
  });

  it.skipIf(!hasTshark())('frames it builds are read by tshark with good checksums', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pcapw-'));
    const file = path.join(dir, 'a.pcap');
    try {
      const w = await PcapWriter.open(file, { linkType: 1, chunkBytes: 65536 });
      w.write(1700000000.5, buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5000, dport: 5001, payload: hello, vlan: [10, 20] }));
      w.write(1700000001.25, buildIpv6Udp({ src: '2001:db8::1', dst: 'fe80::2', sport: 5002, dport: 5003, payload: hello }));
      w.write(1700000002, buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5061, seq: 1000, ack: 5, flags: TcpFlag.PSH, payload: hello }));
      await w.close();
      const out = execFileSync('tshark', ['-r', file, '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE',
        '-T', 'fields', '-e', 'frame.number', '-e', 'ieee8021ad.id', '-e', 'vlan.id', '-e', 'ip.checksum.status', '-e', 'udp.checksum.status', '-e', 'tcp.checksum.status', '-e', 'udp.length', '-e', 'tcp.len', '-e', 'ipv6.src'], { encoding: 'utf8' });
      expect(out.trim().split('\n')).toEqual([
        // checksum status 1 = good
        '1\t10\t20\t1\t1\t\t13\t\t',
        '2\t\t\t\t1\t\t13\t\t2001:db8::1',
        '3\t\t\t1\t\t1\t\t5',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
