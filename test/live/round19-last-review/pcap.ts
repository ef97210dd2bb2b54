/** A small Ethernet pcap of ARP frames and IPv4/UDP datagrams, each at its own capture time. */
import { writeFile } from 'node:fs/promises';

export type Rec = { ts: number; kind: 'arp' } | { ts: number; kind: 'udp'; payload: string; sport?: number; dport?: number };

function arp(): Uint8Array {
  const b = new Uint8Array(14 + 28);
  b.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 1, 2, 3, 4, 5, 0x08, 0x06], 0);
  b.set([0, 1, 8, 0, 6, 4, 0, 1, 0, 1, 2, 3, 4, 5, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2], 14);
  return b;
}

function udp(payloadText: string, sport: number, dport: number): Uint8Array {
  const payload = new TextEncoder().encode(payloadText);
  const b = new Uint8Array(14 + 20 + 8 + payload.length);
  const dv = new DataView(b.buffer);
  b.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6], 0);
  dv.setUint16(12, 0x0800);
  const ip = 14;
  b[ip] = 0x45;
  dv.setUint16(ip + 2, 20 + 8 + payload.length);
  b[ip + 8] = 64;
  b[ip + 9] = 17;
  b.set([10, 0, 0, 1], ip + 12);
  b.set([10, 0, 0, 2], ip + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += dv.getUint16(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(ip + 10, ~sum & 0xffff);
  dv.setUint16(ip + 20, sport);
  dv.setUint16(ip + 22, dport);
  dv.setUint16(ip + 24, 8 + payload.length);
  b.set(payload, ip + 28);
  return b;
}

export async function writeCapture(file: string, recs: readonly Rec[]): Promise<void> {
  const parts: Uint8Array[] = [];
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, true);
  head.setUint16(4, 2, true);
  head.setUint16(6, 4, true);
  head.setUint32(16, 65535, true);
  head.setUint32(20, 1, true);
  parts.push(new Uint8Array(head.buffer));
  for (const r of recs) {
    const bytes = r.kind === 'arp' ? arp() : udp(r.payload, r.sport ?? 40000, r.dport ?? 5060);
    const rec = new DataView(new ArrayBuffer(16));
    rec.setUint32(0, Math.floor(r.ts), true);
    rec.setUint32(4, Math.round((r.ts % 1) * 1e6), true);
    rec.setUint32(8, bytes.length, true);
    rec.setUint32(12, bytes.length, true);
    parts.push(new Uint8Array(rec.buffer), bytes);
  }
  await writeFile(file, Buffer.concat(parts));
}
