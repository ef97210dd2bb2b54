/**
 * A traffic mirror delivers the packets it copies inside a tunnel: VXLAN (AWS, Azure and VMware
 * traffic mirroring), Geneve, GRE, ERSPAN (a switch's remote SPAN, types I–III). Such a capture
 * was read as traffic between the mirror and the collector (UDP to 4789, IP protocol 47): no
 * SIP, no media, an empty replay. Now the tunnel is opened as tshark opens it and the packet
 * inside is read as any other: the sample call wrapped in each replays to exactly the exports,
 * reports, decisions and bindings of the sample itself, with 0 and 2 workers; tshark reads
 * the same SIP and RTCP packets in each capture.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv4Packet, EtherType, wrapEthernet } from '../../native-free/frame-builder.js';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { tsharkFields } from '../wire/helpers.js';
import { readPcapRecords, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, writePcapRecords } from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const MIRROR = '192.0.2.250';
const COLLECTOR = '192.0.2.251';
const bytes = (...parts: (Uint8Array | number[])[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));
const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const gre = (header: number[], inner: Uint8Array) => wrapEthernet(EtherType.IPV4, buildIpv4Packet({ src: MIRROR, dst: COLLECTOR, protocol: 47, payload: bytes(header, inner) }));
const overUdp = (dport: number, header: number[], inner: Uint8Array) => buildEthernetIpv4Udp({ src: MIRROR, dst: COLLECTOR, sport: 50000, dport, payload: bytes(header, inner) });

/** Each tunnel: the mirrored Ethernet frame (`frame`, frame number `n`) as the collector captures it. */
const TUNNELS: Record<string, (frame: Uint8Array, n: number) => Uint8Array> = {
  vxlan: (f) => overUdp(4789, [0x08, 0, 0, 0, ...u32(1234 << 8)], f),
  'geneve, with an option': (f) => overUdp(6081, [0x02, 0, ...u16(0x6558), ...u32(77 << 8), ...u16(0x0104), 0x01, 0x01, 0xaa, 0xbb, 0xcc, 0xdd], f),
  'GRE, transparent Ethernet bridging, key and sequence': (f, n) => gre([0x30, 0, ...u16(0x6558), ...u32(9), ...u32(n)], f),
  'GRE, IPv4 inside, checksum': (f) => gre([0x80, 0, ...u16(0x0800), 0, 0, 0, 0], f.subarray(14)),
  'ERSPAN type I': (f) => gre([0, 0, ...u16(0x88be)], f),
  'ERSPAN type II': (f, n) => gre([0x10, 0, ...u16(0x88be), ...u32(n)], bytes([0x10, 0x64, 0x00, 0x01, 0, 0, 0, 0], f)),
  'ERSPAN type III, platform subheader': (f, n) => gre([0x10, 0, ...u16(0x22eb), ...u32(n)], bytes([0x20, 0x64, 0x00, 0x01, ...u32(n), 0, 0, 0, 0x01], [0x08, 0, 0, 0, 0, 0, 0, 0], f)),
};

describe('captures of a traffic mirror: the sample call inside a tunnel', async () => {
  const policy = await loadPolicyFile(SMALL_POLICY);
  const { header, records } = await readPcapRecords(SMALL_PCAP);
  const plain = await replayLines({ capture: SMALL_PCAP, policy });

  it.each(Object.keys(TUNNELS))('%s: replays as the sample itself (0 and 2 workers)', async (name) => {
    const file = await ws.file(`${name.replace(/\W+/g, '-')}.pcap`);
    await writePcapRecords(file, header, records.map((r, i) => ({ ts: r.ts, data: TUNNELS[name]!(r.data, i + 1) })));
    for (const workers of [0, 2]) {
      const run = await replayLines({ capture: file, policy, workers });
      // Was: no SIP, no RTP, no RTCP read: an empty replay
      expect(run.result.summary.rtcp).toBe(plain.result.summary.rtcp);
      expect(run.exports).toEqual(plain.exports);
      expect(run.reports).toEqual(plain.reports);
      expect(run.decisions).toEqual(plain.decisions);
      expect(run.result.bindings).toEqual(plain.result.bindings);
    }
    for (const proto of ['sip', 'rtcp']) expect(tsharkFields(file, ['frame.number'], ['-Y', proto])).toEqual(tsharkFields(SMALL_PCAP, ['frame.number'], ['-Y', proto]));
  });
});
