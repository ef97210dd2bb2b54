/**
 * Scratch capture builder for the round-24 review: TCP segments in IPv4 or IPv6 (extension
 * headers before or after a fragment header), IP fragments in any order, GRE tunnels, UDP.
 */
import { encodePcapFileHeader, encodePcapRecord } from '../../../native-free/write.js';
import { writeFile } from 'node:fs/promises';

export const SYN = 0x02, FIN = 0x01, RST = 0x04, ACK = 0x10, PSH = 0x08;

export interface Tcp {
  from: 'client' | 'server';
  seq: number;
  ack?: number;
  payload?: string | Uint8Array;
  flags?: number;
  sport?: number;
}

const bytesOf = (p: string | Uint8Array | undefined): Uint8Array => (typeof p === 'string' ? Buffer.from(p, 'latin1') : (p ?? new Uint8Array(0)));

export function tcp(s: Tcp): Uint8Array {
  const payload = bytesOf(s.payload);
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

export function udp(sport: number, dport: number, payload: string | Uint8Array): Uint8Array {
  const p = bytesOf(payload);
  const u = new Uint8Array(8 + p.length);
  const dv = new DataView(u.buffer);
  dv.setUint16(0, sport);
  dv.setUint16(2, dport);
  dv.setUint16(4, 8 + p.length);
  u.set(p, 8);
  return u;
}

function ipv4Sum(ip: Uint8Array): void {
  const dv = new DataView(ip.buffer, ip.byteOffset);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += dv.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(10, ~sum & 0xffff);
}

/** One IPv4 packet (a fragment when `off`/`more` say so). */
export function ipv4(src: number[], dst: number[], proto: number, body: Uint8Array, id = 0x4242, off = 0, more = false): Uint8Array {
  const ip = new Uint8Array(20 + body.length);
  const dv = new DataView(ip.buffer);
  ip[0] = 0x45;
  dv.setUint16(2, 20 + body.length);
  dv.setUint16(4, id);
  dv.setUint16(6, (more ? 0x2000 : 0) | (off >> 3));
  ip[8] = 64;
  ip[9] = proto;
  ip.set(src, 12);
  ip.set(dst, 16);
  ip.set(body, 20);
  ipv4Sum(ip);
  return ip;
}

/** IPv4 fragments of `body` (`size` bytes each, a multiple of 8). */
export function ipv4Fragments(src: number[], dst: number[], proto: number, body: Uint8Array, size: number, id = 0x4343): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < body.length; o += size) out.push(ipv4(src, dst, proto, body.subarray(o, o + size), id, o, o + size < body.length));
  return out;
}

export const C4 = [10, 0, 0, 1], S4 = [10, 0, 0, 2];
const v6 = (last: number) => [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last];
export const C6 = v6(1), S6 = v6(2);

/** An extension header: [next header number it is, bytes] — 8 bytes of the uniform format, or AH of 12+4. */
export type Ext = 0 | 43 | 60 | 51;

/** Builds a chain of extension headers `exts` then `upper` (protocol `upperProto`): returns the bytes and the first next-header value. */
function chain(exts: readonly Ext[], upperProto: number, upper: Uint8Array): { first: number; bytes: Uint8Array } {
  const parts: Uint8Array[] = [];
  for (let k = 0; k < exts.length; k++) {
    const next = k + 1 < exts.length ? exts[k + 1]! : upperProto;
    if (exts[k] === 51) {
      const ah = new Uint8Array(24); // AH: payload len (in 4-octet units minus 2) = 4 → 24 bytes
      ah[0] = next;
      ah[1] = 4;
      new DataView(ah.buffer).setUint32(4, 0x1000); // SPI
      new DataView(ah.buffer).setUint32(8, 1); // sequence
      parts.push(ah);
    } else {
      const h = new Uint8Array(8);
      h[0] = next;
      h[1] = 0;
      h[2] = 1; // PadN option, 4 bytes
      h[3] = 4;
      parts.push(h);
    }
  }
  parts.push(upper);
  return { first: exts.length > 0 ? exts[0]! : upperProto, bytes: Buffer.concat(parts) };
}

/** One IPv6 packet: extension headers `exts` before the upper layer. */
export function ipv6(src: number[], dst: number[], exts: readonly Ext[], upperProto: number, upper: Uint8Array): Uint8Array {
  const c = chain(exts, upperProto, upper);
  const ip = new Uint8Array(40 + c.bytes.length);
  const dv = new DataView(ip.buffer);
  ip[0] = 0x60;
  dv.setUint16(4, c.bytes.length);
  ip[6] = c.first;
  ip[7] = 64;
  ip.set(src, 8);
  ip.set(dst, 24);
  ip.set(c.bytes, 40);
  return ip;
}

/**
 * IPv6 fragments: `before` extension headers stand in each fragment ahead of the fragment
 * header (the unfragmentable part); `after` ones start the fragmentable part (with the upper layer).
 */
export function ipv6Fragments(src: number[], dst: number[], before: readonly Ext[], after: readonly Ext[], upperProto: number, upper: Uint8Array, size: number, id = 0x777): Uint8Array[] {
  const fragmentable = chain(after, upperProto, upper);
  const out: Uint8Array[] = [];
  for (let o = 0; o < fragmentable.bytes.length; o += size) {
    const piece = fragmentable.bytes.subarray(o, o + size);
    const frag = new Uint8Array(8 + piece.length);
    const dv = new DataView(frag.buffer);
    frag[0] = fragmentable.first;
    dv.setUint16(2, o | (o + size < fragmentable.bytes.length ? 1 : 0));
    dv.setUint32(4, id);
    frag.set(piece, 8);
    // the unfragmentable headers, the last naming the fragment header (44)
    const unf = chain(before, 44, frag);
    const ip = new Uint8Array(40 + unf.bytes.length);
    const ipdv = new DataView(ip.buffer);
    ip[0] = 0x60;
    ipdv.setUint16(4, unf.bytes.length);
    ip[6] = unf.first;
    ip[7] = 64;
    ip.set(src, 8);
    ip.set(dst, 24);
    ip.set(unf.bytes, 40);
    out.push(ip);
  }
  return out;
}

/** GRE (RFC 2784, no options) carrying an IPv4 packet. */
export function gre(inner: Uint8Array, etherType = 0x0800): Uint8Array {
  const g = new Uint8Array(4 + inner.length);
  new DataView(g.buffer).setUint16(2, etherType);
  g.set(inner, 4);
  return g;
}

export function eth(ip: Uint8Array): Uint8Array {
  const b = new Uint8Array(14 + ip.length);
  b.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6], 0);
  new DataView(b.buffer).setUint16(12, ip[0]! >> 4 === 6 ? 0x86dd : 0x0800);
  b.set(ip, 14);
  return b;
}

/** client→server or server→client IPv4 TCP packet */
export const tcp4 = (s: Tcp): Uint8Array => ipv4(s.from === 'client' ? C4 : S4, s.from === 'client' ? S4 : C4, 6, tcp(s), 0x1000 + (s.seq & 0xff));

export interface Rec {
  ts: number;
  ip: Uint8Array;
}

/** A pcap (Ethernet) of the records' IP packets. */
export async function writeRecs(file: string, recs: readonly Rec[]): Promise<string> {
  const parts: Uint8Array[] = [encodePcapFileHeader(1)];
  for (const r of recs) {
    parts.push(encodePcapRecord(r.ts, eth(r.ip)));
  }
  await writeFile(file, Buffer.concat(parts));
  return file;
}
