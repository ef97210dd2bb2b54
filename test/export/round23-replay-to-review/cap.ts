/** Scratch capture builder: Ethernet (optionally VLAN), IPv4/IPv6, TCP with flags, IPv4 fragments. */
import { encodePcapFileHeader, encodePcapRecord } from '../../../native-free/write.js';
import { writeFile } from 'node:fs/promises';

export interface Seg {
  ts: number;
  from: 'client' | 'server';
  seq: number;
  ack?: number;
  payload?: string | Uint8Array;
  flags?: number; // default PSH|ACK (0x18) with payload, ACK (0x10) without
  sport?: number; // client port (default 40000)
  v6?: boolean;
  vlan?: boolean;
  /** IPv4 only: cut the IP payload into fragments of this many bytes (multiple of 8) */
  fragment?: number;
}
export const SYN = 0x02, FIN = 0x01, RST = 0x04, ACK = 0x10, PSH = 0x08;

function ipv4Sum(b: Uint8Array, ip: number): void {
  const dv = new DataView(b.buffer, b.byteOffset);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += dv.getUint16(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(ip + 10, ~sum & 0xffff);
}

function tcpBytes(s: Seg): Uint8Array {
  const payload = typeof s.payload === 'string' ? Buffer.from(s.payload, 'latin1') : (s.payload ?? new Uint8Array(0));
  const t = new Uint8Array(20 + payload.length);
  const dv = new DataView(t.buffer);
  const cport = s.sport ?? 40000;
  dv.setUint16(0, s.from === 'client' ? cport : 5060);
  dv.setUint16(2, s.from === 'client' ? 5060 : cport);
  dv.setUint32(4, s.seq >>> 0);
  dv.setUint32(8, (s.ack ?? 0) >>> 0);
  t[12] = 5 << 4;
  t[13] = s.flags ?? (payload.length > 0 ? 0x18 : 0x10);
  dv.setUint16(14, 65535);
  t.set(payload, 20);
  return t;
}

/** link-layer frames (one, or several fragments) of a segment */
export function frames(s: Seg): Uint8Array[] {
  const tcp = tcpBytes(s);
  const eth = (ethType: number, body: Uint8Array): Uint8Array => {
    const hl = s.vlan ? 18 : 14;
    const b = new Uint8Array(hl + body.length);
    const dv = new DataView(b.buffer);
    b.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6], 0);
    if (s.vlan) {
      dv.setUint16(12, 0x8100);
      dv.setUint16(14, 100);
      dv.setUint16(16, ethType);
    } else dv.setUint16(12, ethType);
    b.set(body, hl);
    return b;
  };
  const c = s.from === 'client';
  if (s.v6) {
    const ip = new Uint8Array(40 + tcp.length);
    const dv = new DataView(ip.buffer);
    ip[0] = 0x60;
    dv.setUint16(4, tcp.length);
    ip[6] = 6;
    ip[7] = 64;
    const a = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    ip.set([...a, c ? 1 : 2], 8);
    ip.set([...a, c ? 2 : 1], 24);
    ip.set(tcp, 40);
    return [eth(0x86dd, ip)];
  }
  const pieces: { off: number; data: Uint8Array; more: boolean }[] = [];
  if (s.fragment) {
    for (let o = 0; o < tcp.length; o += s.fragment) pieces.push({ off: o, data: tcp.subarray(o, o + s.fragment), more: o + s.fragment < tcp.length });
  } else pieces.push({ off: 0, data: tcp, more: false });
  return pieces.map((p) => {
    const ip = new Uint8Array(20 + p.data.length);
    const dv = new DataView(ip.buffer);
    ip[0] = 0x45;
    dv.setUint16(2, 20 + p.data.length);
    dv.setUint16(4, 0x1234 + (s.seq & 0xff));
    dv.setUint16(6, (p.more ? 0x2000 : 0) | (p.off >> 3));
    ip[8] = 64;
    ip[9] = 6;
    ip.set(c ? [10, 0, 0, 1] : [10, 0, 0, 2], 12);
    ip.set(c ? [10, 0, 0, 2] : [10, 0, 0, 1], 16);
    ip.set(p.data, 20);
    ipv4Sum(ip, 0);
    return eth(0x0800, ip);
  });
}

export async function writeCap(file: string, segs: readonly Seg[]): Promise<void> {
  const parts: Uint8Array[] = [encodePcapFileHeader(1)];
  for (const s of segs) {
    for (const f of frames(s)) {
      parts.push(encodePcapRecord(s.ts, f));
    }
  }
  await writeFile(file, Buffer.concat(parts));
}

export const sipMsg = (n: number | string, extraHeaders = ''): string =>
  `OPTIONS sip:m${n}@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-c${n}\r\nFrom: <sip:a@10.0.0.1>;tag=c${n}\r\nTo: <sip:b@10.0.0.2>\r\nCall-ID: call-${n}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n${extraHeaders}Content-Length: 0\r\n\r\n`;
