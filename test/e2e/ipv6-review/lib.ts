/**
 * Helpers of the IPv6 review (second pass): one scenario as bare IP packets, written under any
 * link type (pcap or pcapng) and replayed in-process with --workers 0 and 2.
 */
import { buildIpv4Packet, buildIpv6Packet, buildUdpDatagram, EtherType, IpProtocol, parseIpv4, parseIpv6, wrapEthernet } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader, encodePcapngEnhancedPacket, encodePcapngInterface, encodePcapngSectionHeader } from '../../../native-free/write.js';
import { writeFile } from 'node:fs/promises';
import { emptyPolicy, type PolicyFile } from '../../../src/policy/policy-file.js';
import { parseLines, replayLines, type PcapRecord, type Workspace, writePcapRecords } from '../e2e-helpers.js';
import { T0, type Pkt } from '../calls-on-any-address.js';

export const ipPacket = (p: Pkt): Uint8Array => {
  if (p.src.includes(':')) {
    const s = parseIpv6(p.src);
    const d = parseIpv6(p.dst);
    return buildIpv6Packet({ src: s, dst: d, protocol: IpProtocol.UDP, payload: buildUdpDatagram(s, d, p.sport, p.dport, p.payload) });
  }
  const s = parseIpv4(p.src);
  const d = parseIpv4(p.dst);
  return buildIpv4Packet({ src: s, dst: d, protocol: IpProtocol.UDP, payload: buildUdpDatagram(s, d, p.sport, p.dport, p.payload) });
};

const et = (ip: Uint8Array) => (ip[0]! >> 4 === 6 ? EtherType.IPV6 : EtherType.IPV4);

export type Link = 'eth' | 'vlan' | 'qinq' | 'sll' | 'sll2' | 'sll2-vlan' | 'raw' | 'ipv6' | 'null-bsd' | 'null-darwin' | 'loop';
export const LINK_TYPE: Record<Link, number> = { eth: 1, vlan: 1, qinq: 1, sll: 113, sll2: 276, 'sll2-vlan': 276, raw: 101, ipv6: 229, 'null-bsd': 0, 'null-darwin': 0, loop: 108 };

export function frameFor(link: Link, ip: Uint8Array): Uint8Array {
  const type = et(ip);
  switch (link) {
    case 'eth':
      return wrapEthernet(type, ip);
    case 'vlan':
      return wrapEthernet(type, ip, { vlan: 42 });
    case 'qinq':
      return wrapEthernet(type, ip, { vlan: [7, 42] });
    case 'sll': {
      const h = Buffer.alloc(16);
      h.writeUInt16BE(0, 0);
      h.writeUInt16BE(1, 2);
      h.writeUInt16BE(6, 4);
      h.writeUInt16BE(type, 14);
      return Buffer.concat([h, ip]);
    }
    case 'sll2':
    case 'sll2-vlan': {
      const h = Buffer.alloc(20);
      h.writeUInt16BE(link === 'sll2' ? type : EtherType.VLAN, 0);
      h.writeUInt32BE(2, 4);
      h.writeUInt16BE(1, 8);
      h[10] = 0;
      h[11] = 6;
      if (link === 'sll2') return Buffer.concat([h, ip]);
      const tag = Buffer.alloc(4);
      tag.writeUInt16BE(42, 0);
      tag.writeUInt16BE(type, 2);
      return Buffer.concat([h, tag, ip]);
    }
    case 'raw':
    case 'ipv6':
      return ip;
    case 'null-bsd':
    case 'null-darwin': {
      const h = Buffer.alloc(4);
      h.writeUInt32LE(type === EtherType.IPV4 ? 2 : link === 'null-bsd' ? 24 : 30, 0);
      return Buffer.concat([h, ip]);
    }
    case 'loop': {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(type === EtherType.IPV4 ? 2 : 24, 0);
      return Buffer.concat([h, ip]);
    }
  }
}

let n = 0;
export async function writeCapture(ws: Workspace, ips: Uint8Array[], link: Link = 'eth', format: 'pcap' | 'pcapng' = 'pcap', step = 0.1): Promise<string> {
  const file = await ws.file(`r6-${n++}.${format}`);
  if (format === 'pcap') {
    const records: PcapRecord[] = ips.map((ip, i) => ({ ts: T0 + (i + 1) * step, data: frameFor(link, ip) }));
    await writePcapRecords(file, encodePcapFileHeader(LINK_TYPE[link]), records);
  } else {
    const blocks = [encodePcapngSectionHeader(), encodePcapngInterface(LINK_TYPE[link], { tsresol: 6 })];
    ips.forEach((ip, i) => blocks.push(encodePcapngEnhancedPacket(0, BigInt(Math.round((T0 + (i + 1) * step) * 1e6)), frameFor(link, ip))));
    await writeFile(file, Buffer.concat(blocks));
  }
  return file;
}

export interface Outcome {
  exports: string[];
  reports: string[];
  decisions: string[];
  bindings: unknown[];
  summary: Record<string, any>;
}

/** replays with 0 and 2 workers; returns both */
export async function replayBoth(file: string, policy: PolicyFile = emptyPolicy(), windowSec = 10): Promise<[Outcome, Outcome]> {
  const out: Outcome[] = [];
  for (const workers of [0, 2]) {
    const r = await replayLines({ capture: file, policy, workers, explain: true, windowSec });
    out.push({ exports: r.exports, reports: r.reports, decisions: r.decisions, bindings: r.result.bindings as unknown[], summary: r.result.summary as unknown as Record<string, any> });
  }
  return out as [Outcome, Outcome];
}

export { parseLines };
