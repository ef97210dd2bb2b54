/**
 * The shared real captures, read and decoded end to end. Expected numbers are what tshark
 * reports for the same files (`tshark -r <file> -T fields -e frame.time_epoch -e udp.length -e tcp.len`).
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readCaptureBatches } from '../../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import type { PacketKind } from '../../native-free/types.js';

const capture = (name: string): string => path.resolve(process.cwd(), '../shared/captures', name);

interface Tally {
  frames: number;
  linkTypes: Set<number>;
  firstTs: number;
  lastTs: number;
  kinds: Record<PacketKind, number>;
  udpPayloadBytes: number;
  tcpStreamBytes: number;
  firstUdp?: { src: string; dst: string; sport: number; dport: number };
  streams: Map<string, string>;
}

async function decodeCapture(name: string, chunkBytes?: number): Promise<Tally> {
  const decoder = new PacketDecoder();
  const view = createPacketView();
  const t: Tally = {
    frames: 0,
    linkTypes: new Set(),
    firstTs: 0,
    lastTs: 0,
    kinds: { udp: 0, tcp: 0, pending: 0, other: 0, malformed: 0 },
    udpPayloadBytes: 0,
    tcpStreamBytes: 0,
    streams: new Map(),
  };
  const latin1 = new TextDecoder('latin1');
  for await (const batch of readCaptureBatches(capture(name), chunkBytes ? { chunkBytes } : {})) {
    for (let i = 0; i < batch.count; i++) {
      if (t.frames === 0) t.firstTs = batch.ts[i]!;
      t.lastTs = batch.ts[i]!;
      t.frames++;
      t.linkTypes.add(batch.linkType[i]!);
      const kind = decoder.decode(batch, i, view);
      t.kinds[kind]++;
      expect(view.frame).toBe(t.frames);
      if (kind === 'udp') {
        t.udpPayloadBytes += view.payloadLength;
        t.firstUdp ??= { src: view.src, dst: view.dst, sport: view.sport, dport: view.dport };
      } else if (kind === 'tcp') {
        t.tcpStreamBytes += view.payloadLength;
        const text = latin1.decode(view.bytes.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength));
        t.streams.set(view.flowKey, (t.streams.get(view.flowKey) ?? '') + text);
      }
    }
  }
  decoder.flush();
  return t;
}

describe('real captures agree with tshark', () => {
  const cases = [
    { file: 'rtpproxy_rtcp.a.pcap', frames: 236, linkType: 1, udp: 236, udpBytes: 59472, first: 1027664343.268118, last: 1027664350.317746,
      firstUdp: { src: '10.1.3.143', dst: '127.0.0.1', sport: 5000, dport: 2006 } },
    { file: 'rtpproxy_rtcp.o.pcap', frames: 230, linkType: 1, udp: 230, udpBytes: 57760, first: 1027664343.421521, last: 1027664350.293057,
      firstUdp: { src: '10.1.6.18', dst: '127.0.0.1', sport: 2006, dport: 2008 } },
    { file: 'heplify_sip_ipv6_udp.pcap', frames: 6, linkType: 1, udp: 6, udpBytes: 3214, first: 1328589362.251758, last: 3867576602.251758,
      firstUdp: { src: 'fe80::21a:a0ff:fe07:32e0', dst: 'fec0::216:d3ff:fe0d:22c', sport: 5060, dport: 5060 } },
    // tshark shows plain IPv4/UDP under the raw-IP link type here, no inner tunnel header.
    { file: 'heplify_ipip0.pcap', frames: 8, linkType: 101, udp: 8, udpBytes: 5709, first: 1774015992.783378, last: 1774015994.733898,
      firstUdp: { src: '179.43.150.26', dst: '157.161.10.72', sport: 33489, dport: 5060 } },
    { file: 'heplify_sip_ipv4_tcp.pcap', frames: 84, linkType: 1, udp: 68, udpBytes: 10510, first: 1311857686.556175, last: 1311857693.090341,
      firstUdp: undefined },
  ];
  for (const c of cases) {
    it(`${c.file}: ${c.frames} frames, link type ${c.linkType}, ${c.udp} UDP`, async () => {
      for (const chunkBytes of [undefined, 333]) {
        const t = await decodeCapture(c.file, chunkBytes);
        expect(t.frames).toBe(c.frames);
        expect([...t.linkTypes]).toEqual([c.linkType]);
        expect(t.kinds.udp).toBe(c.udp);
        expect(t.kinds.malformed).toBe(0);
        expect(t.udpPayloadBytes).toBe(c.udpBytes);
        expect(t.firstTs).toBeCloseTo(c.first, 6);
        expect(t.lastTs).toBeCloseTo(c.last, 6);
        if (c.firstUdp) expect(t.firstUdp).toEqual(c.firstUdp);
      }
    });
  }

  it('heplify_sip_ipv4_tcp.pcap: 16 TCP segments reassemble into the SIP messages tshark shows', async () => {
    const t = await decodeCapture('heplify_sip_ipv4_tcp.pcap', 500);
    // 16 segments: 7 carry data (4035 bytes), 9 are bare SYN/ACKs
    expect(t.kinds.tcp + t.kinds.pending).toBe(16);
    expect(t.kinds.tcp).toBe(7);
    expect(t.tcpStreamBytes).toBe(4035);
    expect([...t.streams.keys()].sort()).toEqual(['10.33.6.100:64802>10.33.6.101:5060', '10.33.6.101:5060>10.33.6.100:64802']);
    const all = [...t.streams.values()].join('');
    const startLines = all.split('\r\n').filter((l) => /^(SIP\/2\.0 \d{3} |[A-Z]+ sip:.* SIP\/2\.0$)/.test(l));
    expect(startLines.filter((l) => l.startsWith('SIP/2.0 ')).map((l) => l.slice(0, 11)).sort()).toEqual([
      'SIP/2.0 100', 'SIP/2.0 180', 'SIP/2.0 200', 'SIP/2.0 200',
    ]);
    // per direction, in the order sent
    const toCallee = t.streams.get('10.33.6.100:64802>10.33.6.101:5060')!;
    expect(toCallee.match(/^(INVITE|ACK|SIP\/2\.0 \d+)/gm)).toEqual(['INVITE', 'ACK', 'SIP/2.0 200']);
    const toCaller = t.streams.get('10.33.6.101:5060>10.33.6.100:64802')!;
    expect(toCaller.match(/^(BYE|SIP\/2\.0 \d+)/gm)).toEqual(['SIP/2.0 100', 'SIP/2.0 180', 'SIP/2.0 200', 'BYE']);
    expect(startLines.filter((l) => !l.startsWith('SIP/2.0 ')).sort()).toEqual([
      'ACK sip:201@10.33.6.101:5060;transport=tcp SIP/2.0',
      'BYE sip:101@10.33.6.100:5060;transport=tcp SIP/2.0',
      'INVITE sip:201@10.33.6.101;user=phone SIP/2.0',
    ]);
  });
});

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function recordsOf(file: string): Promise<{ ts: number; linkType: number; data: string }[]> {
  const out: { ts: number; linkType: number; data: string }[] = [];
  for await (const b of readCaptureBatches(file, { chunkBytes: 4096 })) {
    for (let i = 0; i < b.count; i++) {
      out.push({ ts: b.ts[i]!, linkType: b.linkType[i]!, data: Buffer.from(b.bytes.subarray(b.dataOffset[i]!, b.dataOffset[i]! + b.capLen[i]!)).toString('hex') });
    }
  }
  return out;
}

describe('the same captures rewritten by editcap and mergecap read the same', () => {
  it.skipIf(!hasTool('editcap'))('pcapng and nanosecond pcap from editcap give identical records', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nf-editcap-'));
    try {
      for (const name of ['heplify_sip_ipv4_tcp.pcap', 'heplify_sip_ipv6_udp.pcap', 'rtpproxy_rtcp.o.pcap']) {
        const original = await recordsOf(capture(name));
        for (const format of ['pcapng', 'nsecpcap']) {
          const out = path.join(dir, `${name}.${format}`);
          execFileSync('editcap', ['-F', format, capture(name), out]);
          const converted = await recordsOf(out);
          expect(converted.length, `${name} as ${format}`).toBe(original.length);
          converted.forEach((r, k) => {
            expect(r.data).toBe(original[k]!.data);
            expect(r.linkType).toBe(original[k]!.linkType);
            expect(r.ts).toBeCloseTo(original[k]!.ts, 6);
          });
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasTool('mergecap'))('a pcapng merged from raw-IP and Ethernet captures keeps each interface\'s link type', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nf-mergecap-'));
    try {
      const out = path.join(dir, 'merged.pcapng');
      // -a concatenates: 8 raw-IP frames, then 6 Ethernet frames, on two interfaces
      execFileSync('mergecap', ['-a', '-F', 'pcapng', '-w', out, capture('heplify_ipip0.pcap'), capture('heplify_sip_ipv6_udp.pcap')]);
      const records = await recordsOf(out);
      expect(records.map((r) => r.linkType)).toEqual([...Array(8).fill(101), ...Array(6).fill(1)]);
      const decoder = new PacketDecoder();
      const view = createPacketView();
      let udp = 0;
      for await (const b of readCaptureBatches(out)) for (let i = 0; i < b.count; i++) if (decoder.decode(b, i, view) === 'udp') udp++;
      expect(udp).toBe(14);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
