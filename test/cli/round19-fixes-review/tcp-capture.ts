/** A small pcap of SIP over TCP (Ethernet, IPv4, TCP) whose second segment the snap length cut. */
import { writeFile } from 'node:fs/promises';

export interface Segment {
  ts: number;
  from: 'client' | 'server';
  seq: number;
  ack: number;
  payload: string;
  /** payload bytes captured (the rest cut by the snap length); default all */
  captured?: number;
}

const ADDR = { client: [10, 0, 0, 1], server: [10, 0, 0, 2] } as const;
const PORT = { client: 40000, server: 5060 } as const;

function frame(s: Segment): { bytes: Uint8Array; orig: number } {
  const payload = new TextEncoder().encode(s.payload);
  const total = 14 + 20 + 20 + payload.length;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  b.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6], 0);
  dv.setUint16(12, 0x0800);
  const ip = 14;
  b[ip] = 0x45;
  dv.setUint16(ip + 2, 20 + 20 + payload.length);
  b[ip + 8] = 64;
  b[ip + 9] = 6;
  const to = s.from === 'client' ? 'server' : 'client';
  b.set(ADDR[s.from], ip + 12);
  b.set(ADDR[to], ip + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += dv.getUint16(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(ip + 10, ~sum & 0xffff);
  const tcp = ip + 20;
  dv.setUint16(tcp, PORT[s.from]);
  dv.setUint16(tcp + 2, PORT[to]);
  dv.setUint32(tcp + 4, s.seq >>> 0);
  dv.setUint32(tcp + 8, s.ack >>> 0);
  b[tcp + 12] = 5 << 4;
  b[tcp + 13] = payload.length > 0 ? 0x18 : 0x10; // PSH|ACK or ACK
  dv.setUint16(tcp + 14, 65535);
  b.set(payload, tcp + 20);
  const captured = s.captured === undefined ? total : 54 + s.captured;
  return { bytes: b.subarray(0, captured), orig: total };
}

export async function writeTcpCapture(file: string, segments: readonly Segment[], snapLen = 65535): Promise<void> {
  const parts: Uint8Array[] = [];
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, true);
  head.setUint16(4, 2, true);
  head.setUint16(6, 4, true);
  head.setUint32(16, snapLen, true);
  head.setUint32(20, 1, true);
  parts.push(new Uint8Array(head.buffer));
  for (const s of segments) {
    const { bytes, orig } = frame(s);
    const rec = new DataView(new ArrayBuffer(16));
    rec.setUint32(0, Math.floor(s.ts), true);
    rec.setUint32(4, Math.round((s.ts % 1) * 1e6), true);
    rec.setUint32(8, bytes.length, true);
    rec.setUint32(12, orig, true);
    parts.push(new Uint8Array(rec.buffer), bytes);
  }
  await writeFile(file, Buffer.concat(parts));
}

export const sip = (startLine: string, callId: string): string =>
  `${startLine}\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-${callId}\r\nFrom: <sip:a@10.0.0.1>;tag=${callId}\r\nTo: <sip:b@10.0.0.2>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;

/**
 * client: OPTIONS #1 (whole), INVITE-sized OPTIONS #2 (the snap length kept 40 of its bytes),
 * OPTIONS #3 (whole); server: a 200 OK acknowledging all three (its ACK passes the gap #2 left).
 */
export function cutSegmentCall(): Segment[] {
  const m1 = sip('OPTIONS sip:first@10.0.0.2 SIP/2.0', 'first-call');
  const m2 = sip('OPTIONS sip:second@10.0.0.2 SIP/2.0', 'second-call') ;
  const m3 = sip('OPTIONS sip:third@10.0.0.2 SIP/2.0', 'third-call');
  const ok = `SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-first-call\r\nFrom: <sip:a@10.0.0.1>;tag=first-call\r\nTo: <sip:b@10.0.0.2>;tag=s\r\nCall-ID: first-call\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  const c0 = 1000;
  const s0 = 9000;
  const end = c0 + m1.length + m2.length + m3.length;
  return [
    { ts: 1.0, from: 'client', seq: c0, ack: s0, payload: m1 },
    { ts: 1.1, from: 'client', seq: c0 + m1.length, ack: s0, payload: m2, captured: 40 },
    { ts: 1.2, from: 'client', seq: c0 + m1.length + m2.length, ack: s0, payload: m3 },
    { ts: 1.3, from: 'server', seq: s0, ack: end, payload: ok },
  ];
}
