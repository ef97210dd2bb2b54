/**
 * Capture rewriters for the metamorphic review: read a classic little-endian µs pcap into
 * records with integer-microsecond times, decode Ethernet/SLL/raw IPv4/IPv6 UDP/TCP into
 * datagrams, transform them, and write them back with any link type, as pcap or pcapng.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { buildIpv4Packet, buildIpv6Packet, buildTcpSegment, buildUdpDatagram, parseIpv4, parseIpv6, wrapEthernet } from '../../../native-free/frame-builder.js';

export interface Rec {
  /** capture time, integer microseconds since the epoch */
  tus: number;
  data: Uint8Array;
  origLen: number;
}
export interface Cap {
  linkType: number;
  snapLen: number;
  records: Rec[];
}

export async function readPcap(file: string): Promise<Cap> {
  const b = await readFile(file);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(0, true) !== 0xa1b2c3d4) throw new Error(`${file}: not LE µs pcap`);
  const cap: Cap = { snapLen: dv.getUint32(16, true), linkType: dv.getUint32(20, true), records: [] };
  let at = 24;
  while (at + 16 <= b.length) {
    const incl = dv.getUint32(at + 8, true);
    cap.records.push({ tus: dv.getUint32(at, true) * 1e6 + dv.getUint32(at + 4, true), data: new Uint8Array(b.subarray(at + 16, at + 16 + incl)), origLen: dv.getUint32(at + 12, true) });
    at += 16 + incl;
  }
  return cap;
}

export function pcapBytes(cap: Cap, o: { nanos?: boolean; bigEndian?: boolean; snapLen?: number } = {}): Buffer {
  const le = !o.bigEndian;
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const hv = new DataView(h.buffer, h.byteOffset, 24);
  hv.setUint32(0, o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  hv.setUint16(4, 2, le);
  hv.setUint16(6, 4, le);
  hv.setUint32(16, o.snapLen ?? cap.snapLen, le);
  hv.setUint32(20, cap.linkType, le);
  parts.push(h);
  for (const r of cap.records) {
    const rh = Buffer.alloc(16);
    const rv = new DataView(rh.buffer, rh.byteOffset, 16);
    const sec = Math.floor(r.tus / 1e6);
    const us = r.tus - sec * 1e6;
    rv.setUint32(0, sec, le);
    rv.setUint32(4, o.nanos ? us * 1000 : us, le);
    rv.setUint32(8, r.data.length, le);
    rv.setUint32(12, r.origLen, le);
    parts.push(rh, Buffer.from(r.data));
  }
  return Buffer.concat(parts);
}

/** pcapng: SHB, one IDB (if_tsresol 6 or 9), one EPB per record. */
export function pcapngBytes(cap: Cap, o: { nanos?: boolean } = {}): Buffer {
  const block = (type: number, body: Buffer): Buffer => {
    const pad = (4 - (body.length % 4)) % 4;
    const len = 12 + body.length + pad;
    const out = Buffer.alloc(len);
    out.writeUInt32LE(type, 0);
    out.writeUInt32LE(len, 4);
    body.copy(out, 8);
    out.writeUInt32LE(len, len - 4);
    return out;
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(0, 6);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8 + 8 + 4);
  idb.writeUInt16LE(cap.linkType, 0);
  idb.writeUInt32LE(cap.snapLen, 4);
  idb.writeUInt16LE(9, 8); // if_tsresol
  idb.writeUInt16LE(1, 10);
  idb.writeUInt8(o.nanos ? 9 : 6, 12);
  idb.writeUInt16LE(0, 16); // opt_endofopt
  idb.writeUInt16LE(0, 18);
  const parts = [block(0x0a0d0d0a, shb), block(1, idb)];
  for (const r of cap.records) {
    const t = BigInt(r.tus) * (o.nanos ? 1000n : 1n);
    const pad = (4 - (r.data.length % 4)) % 4;
    const body = Buffer.alloc(20 + r.data.length + pad);
    body.writeUInt32LE(0, 0);
    body.writeUInt32LE(Number(t >> 32n), 4);
    body.writeUInt32LE(Number(t & 0xffffffffn), 8);
    body.writeUInt32LE(r.data.length, 12);
    body.writeUInt32LE(r.origLen, 16);
    Buffer.from(r.data).copy(body, 20);
    parts.push(block(6, body));
  }
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------- datagrams

export interface Dgram {
  tus: number;
  src: string;
  dst: string;
  proto: 'udp' | 'tcp';
  sport: number;
  dport: number;
  payload: Uint8Array;
  tcp?: { seq: number; ack: number; flags: number; window: number };
  ipId?: number;
  ttl?: number;
}

const v4text = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
function v6text(b: Uint8Array, at: number): string {
  const g: string[] = [];
  for (let i = 0; i < 8; i++) g.push(((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!).toString(16));
  return g.join(':');
}

/** The IP packet inside a record of the given link type (Ethernet with VLAN tags, SLL, SLL2, raw, null). */
export function ipOf(data: Uint8Array, linkType: number): Uint8Array | null {
  let at: number;
  if (linkType === 1) {
    at = 12;
    let et = (data[at]! << 8) | data[at + 1]!;
    while (et === 0x8100 || et === 0x88a8) {
      at += 4;
      et = (data[at]! << 8) | data[at + 1]!;
    }
    if (et !== 0x0800 && et !== 0x86dd) return null;
    at += 2;
  } else if (linkType === 101 || linkType === 228 || linkType === 229) at = 0;
  else if (linkType === 113) at = 16;
  else if (linkType === 276) at = 20;
  else if (linkType === 0) at = 4;
  else return null;
  return data.subarray(at);
}

/** A record's UDP or TCP datagram (unfragmented IPv4 or IPv6 without extension headers), or null. */
export function decode(r: Rec, linkType: number): Dgram | null {
  const ip = ipOf(r.data, linkType);
  if (!ip || ip.length < 20) return null;
  const v = ip[0]! >> 4;
  let src: string, dst: string, proto: number, l4: Uint8Array, ipId: number | undefined, ttl: number;
  if (v === 4) {
    const hl = (ip[0]! & 15) * 4;
    const total = (ip[2]! << 8) | ip[3]!;
    if (((ip[6]! & 0x3f) << 8) | ip[7]!) return null; // fragment
    proto = ip[9]!;
    src = v4text(ip, 12);
    dst = v4text(ip, 16);
    l4 = ip.subarray(hl, total);
    ipId = (ip[4]! << 8) | ip[5]!;
    ttl = ip[8]!;
  } else if (v === 6) {
    proto = ip[6]!;
    src = v6text(ip, 8);
    dst = v6text(ip, 24);
    l4 = ip.subarray(40, 40 + ((ip[4]! << 8) | ip[5]!));
    ttl = ip[7]!;
  } else return null;
  const sport = (l4[0]! << 8) | l4[1]!;
  const dport = (l4[2]! << 8) | l4[3]!;
  if (proto === 17) return { tus: r.tus, src, dst, proto: 'udp', sport, dport, payload: l4.subarray(8), ...(ipId !== undefined ? { ipId } : {}), ttl };
  if (proto === 6) {
    const dv = new DataView(l4.buffer, l4.byteOffset, l4.byteLength);
    const off = (l4[12]! >> 4) * 4;
    return {
      tus: r.tus,
      src,
      dst,
      proto: 'tcp',
      sport,
      dport,
      payload: l4.subarray(off),
      tcp: { seq: dv.getUint32(4), ack: dv.getUint32(8), flags: l4[13]! & 0x3f, window: dv.getUint16(14) },
      ...(ipId !== undefined ? { ipId } : {}),
      ttl,
    };
  }
  return null;
}

export type Link = 'eth' | 'vlan' | 'qinq' | 'raw' | 'sll' | 'sll2' | 'null' | 'ipv4' | 'ipv6';
export const LINKTYPE: Record<Link, number> = { eth: 1, vlan: 1, qinq: 1, raw: 101, sll: 113, sll2: 276, null: 0, ipv4: 228, ipv6: 229 };

/** The IP packet of a datagram (ACK flag bit kept as given: buildTcpSegment adds ACK when ack is given). */
export function ipPacket(d: Dgram): Uint8Array {
  const six = d.src.includes(':');
  const s = six ? parseIpv6(d.src) : parseIpv4(d.src);
  const t = six ? parseIpv6(d.dst) : parseIpv4(d.dst);
  let l4: Uint8Array;
  if (d.proto === 'udp') l4 = buildUdpDatagram(s, t, d.sport, d.dport, d.payload);
  else {
    const tcp = d.tcp!;
    const hasAck = (tcp.flags & 0x10) !== 0;
    l4 = buildTcpSegment(s, t, { sport: d.sport, dport: d.dport, seq: tcp.seq, flags: tcp.flags & ~0x10, payload: d.payload, window: tcp.window, ...(hasAck ? { ack: tcp.ack } : {}) });
  }
  const proto = d.proto === 'udp' ? 17 : 6;
  return six
    ? buildIpv6Packet({ src: s, dst: t, protocol: proto, payload: l4, ...(d.ttl !== undefined ? { hopLimit: d.ttl } : {}) })
    : buildIpv4Packet({ src: s, dst: t, protocol: proto, payload: l4, ...(d.ttl !== undefined ? { ttl: d.ttl } : {}), ...(d.ipId !== undefined ? { id: d.ipId } : {}) });
}

/** An IP packet wrapped for a link type. */
export function frame(ip: Uint8Array, link: Link, outgoing = false): Uint8Array {
  const six = ip[0]! >> 4 === 6;
  const et = six ? 0x86dd : 0x0800;
  switch (link) {
    case 'eth':
      return wrapEthernet(et, ip);
    case 'vlan':
      return wrapEthernet(et, ip, { vlan: 100 });
    case 'qinq':
      return wrapEthernet(et, ip, { vlan: [10, 20] });
    case 'raw':
    case 'ipv4':
    case 'ipv6':
      return ip;
    case 'sll': {
      const h = Buffer.alloc(16);
      h.writeUInt16BE(outgoing ? 4 : 0, 0);
      h.writeUInt16BE(1, 2);
      h.writeUInt16BE(6, 4);
      Buffer.from([2, 0, 0, 0, 0, 1]).copy(h, 6);
      h.writeUInt16BE(et, 14);
      return Buffer.concat([h, ip]);
    }
    case 'sll2': {
      const h = Buffer.alloc(20);
      h.writeUInt16BE(et, 0);
      h.writeUInt32BE(2, 4);
      h.writeUInt16BE(1, 8);
      h[10] = outgoing ? 4 : 0;
      h[11] = 6;
      Buffer.from([2, 0, 0, 0, 0, 1]).copy(h, 12);
      return Buffer.concat([h, ip]);
    }
    case 'null': {
      const h = Buffer.alloc(4);
      h.writeUInt32LE(six ? 30 : 2, 0);
      return Buffer.concat([h, ip]);
    }
  }
}

/**
 * A capture with every record mapped: `f` gets the datagram (or null where none was decoded) and
 * returns records to write instead (a list: none leaves it out). Link type changes only where
 * every record is rebuilt by `f` or the IP packet is re-wrapped (`link`).
 */
export function mapCapture(cap: Cap, f: (d: Dgram | null, r: Rec, frame: number) => Rec[], linkType = cap.linkType): Cap {
  const records: Rec[] = [];
  cap.records.forEach((r, i) => records.push(...f(decode(r, cap.linkType), r, i + 1)));
  return { ...cap, linkType, records };
}

/** The same capture with every record's IP packet re-wrapped for another link (records without IP kept only for the same link). */
export function relink(cap: Cap, link: Link): Cap {
  return {
    ...cap,
    linkType: LINKTYPE[link],
    records: cap.records.map((r) => {
      const ip = ipOf(r.data, cap.linkType);
      if (!ip) throw new Error('record without IP');
      const data = frame(ip, link);
      const cut = r.data.length - ip.length;
      return { tus: r.tus, data, origLen: r.origLen - cut + (data.length - ip.length) };
    }),
  };
}

export const rec = (d: Dgram, link: Link = 'eth', tus = d.tus): Rec => {
  const data = frame(ipPacket(d), link);
  return { tus, data, origLen: data.length };
};

export async function writeCap(file: string, cap: Cap, o: { pcapng?: boolean; nanos?: boolean; bigEndian?: boolean; snapLen?: number } = {}): Promise<string> {
  await writeFile(file, o.pcapng ? pcapngBytes(cap, o) : pcapBytes(cap, o));
  return file;
}

// ---------------------------------------------------------------- payload rewriters

export const isSipPayload = (p: Uint8Array): boolean => {
  const s = Buffer.from(p.subarray(0, 12)).toString('latin1');
  return /^(SIP\/2\.0 |[A-Z]+ sip:|[A-Z]+ sips:|[A-Z]+ tel:)/.test(s);
};
export const isRtcpPayload = (p: Uint8Array) => p.length >= 8 && p[0]! >> 6 === 2 && p[1]! >= 192 && p[1]! <= 223;
export const isRtpPayload = (p: Uint8Array) => p.length >= 12 && p[0]! >> 6 === 2 && !isRtcpPayload(p);

/** RTP: SSRC and CSRCs xor'ed. */
export function xorRtp(p: Uint8Array, k: number): Uint8Array {
  const b = Buffer.from(p);
  const cc = b[0]! & 15;
  for (let i = 0; i <= cc; i++) b.writeUInt32BE((b.readUInt32BE(8 + 4 * i) ^ k) >>> 0, 8 + 4 * i);
  return b;
}

/** RTCP compound: every SSRC field xor'ed (SR/RR/SDES/BYE/APP/RTPFB/PSFB incl. FIR, REMB; XR blocks 1,2,3,5,6,7). */
export function xorRtcp(p: Uint8Array, k: number): Uint8Array {
  const b = Buffer.from(p);
  const x = (at: number) => b.writeUInt32BE((b.readUInt32BE(at) ^ k) >>> 0, at);
  let off = 0;
  while (off + 4 <= b.length) {
    const count = b[off]! & 31;
    const pt = b[off + 1]!;
    const len = (b.readUInt16BE(off + 2) + 1) * 4;
    const end = off + len;
    if (end > b.length) break;
    if (pt === 200 || pt === 201) {
      x(off + 4);
      const blocks = off + (pt === 200 ? 28 : 8);
      for (let i = 0; i < count; i++) x(blocks + 24 * i);
    } else if (pt === 202) {
      let at = off + 4;
      for (let c = 0; c < count && at + 4 <= end; c++) {
        x(at);
        at += 4;
        while (at < end && b[at] !== 0) at += 2 + b[at + 1]!;
        at = (at + 1 + 3) & ~3; // past the null octet, up to the next word
      }
    } else if (pt === 203) {
      for (let i = 0; i < count; i++) x(off + 4 + 4 * i);
    } else if (pt === 204) x(off + 4);
    else if (pt === 205 || pt === 206) {
      x(off + 4);
      x(off + 8);
      if (pt === 206 && count === 4) for (let at = off + 12; at + 8 <= end; at += 8) x(at);
      if (pt === 206 && count === 15 && b.toString('latin1', off + 12, off + 16) === 'REMB') {
        const n = b[off + 16]!;
        for (let i = 0; i < n; i++) x(off + 20 + 4 * i);
      }
      if (pt === 205 && count === 3) for (let at = off + 12; at + 8 <= end; at += 8) x(at);
    } else if (pt === 207) {
      x(off + 4);
      let at = off + 8;
      while (at + 4 <= end) {
        const bt = b[at]!;
        const blen = (b.readUInt16BE(at + 2) + 1) * 4;
        if (bt === 5) for (let s = at + 4; s + 12 <= at + blen; s += 12) x(s);
        else if (bt !== 4 && blen >= 8) x(at + 4);
        at += blen;
      }
    }
    off = end;
  }
  return b;
}

export interface Relabel {
  ip?: (a: string) => string;
  /** media ports (not 5060) */
  port?: (p: number) => number;
  /** the SIP port 5060 */
  sipPort?: number;
  ssrc?: number;
  /** lines kept as they are (Call-ID by default) */
  keepLine?: RegExp;
}

const IPV4_RE = /(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\d])/g;

/** A SIP message's text relabelled consistently, Content-Length recomputed. */
export function relabelSip(text: string, m: Relabel): string {
  const keep = m.keepLine ?? /^(Call-ID|i)\s*:/i;
  const port = m.port ?? ((p: number) => p);
  const lines = text.split('\r\n');
  const out = lines.map((line) => {
    if (keep.test(line)) return line;
    let l = line;
    if (m.ip) l = l.replace(IPV4_RE, (a) => m.ip!(a));
    // SDP ports
    l = l.replace(/^(m=\w+ )(\d+)/, (_, p, n) => p + (Number(n) === 0 ? 0 : port(Number(n))));
    l = l.replace(/^(a=rtcp:)(\d+)/, (_, p, n) => p + port(Number(n)));
    l = l.replace(/^(a=candidate:\S+ \d+ \S+ \d+ \S+ )(\d+)/i, (_, p, n) => p + port(Number(n)));
    l = l.replace(/( raddr \S+ rport )(\d+)/, (_, p, n) => p + port(Number(n)));
    if (m.sipPort !== undefined) l = l.replace(/:5060\b/g, `:${m.sipPort}`).replace(/rport=5060\b/g, `rport=${m.sipPort}`);
    if (m.ssrc !== undefined) {
      const k = m.ssrc;
      l = l.replace(/^(a=ssrc:)(\d+)/, (_, p, n) => p + ((Number(n) ^ k) >>> 0));
      l = l.replace(/^(a=ssrc-group:\S+)((?: \d+)+)/, (_, p, ns: string) => p + ns.replace(/\d+/g, (n) => String((Number(n) ^ k) >>> 0)));
    }
    return l;
  });
  return fixContentLength(out.join('\r\n'));
}

export function fixContentLength(text: string): string {
  const sep = text.indexOf('\r\n\r\n');
  if (sep < 0) return text;
  const body = text.slice(sep + 4);
  const head = text.slice(0, sep).replace(/^(Content-Length|l)\s*:\s*\d+/im, (_m, name) => `${name}: ${Buffer.byteLength(body, 'latin1')}`);
  return `${head}\r\n\r\n${body}`;
}

/** An SDES text's IPv4 addresses relabelled in place when the mapping keeps their length (CNAMEs). */
export function relabelRtcpText(p: Uint8Array, ip: (a: string) => string): Uint8Array {
  const s = Buffer.from(p).toString('latin1');
  const t = s.replace(IPV4_RE, (a) => {
    const b = ip(a);
    return b.length === a.length ? b : a;
  });
  return Buffer.from(t, 'latin1');
}

/** A datagram relabelled: addresses, ports, SSRCs, SIP text. */
export function relabel(d: Dgram, m: Relabel): Dgram {
  const isSip = d.sport === 5060 || d.dport === 5060 || isSipPayload(d.payload);
  let payload = d.payload;
  if (isSip) payload = Buffer.from(relabelSip(Buffer.from(d.payload).toString('latin1'), m), 'latin1');
  else if (isRtcpPayload(payload)) {
    if (m.ssrc !== undefined) payload = xorRtcp(payload, m.ssrc);
    if (m.ip) payload = relabelRtcpText(payload, m.ip);
  } else if (isRtpPayload(payload) && m.ssrc !== undefined) payload = xorRtp(payload, m.ssrc);
  const mp = (p: number) => (p === 5060 ? (m.sipPort ?? 5060) : (m.port ?? ((x: number) => x))(p));
  return { ...d, src: m.ip ? m.ip(d.src) : d.src, dst: m.ip ? m.ip(d.dst) : d.dst, sport: mp(d.sport), dport: mp(d.dport), payload };
}

// ---------------------------------------------------------------- pcapng variants

export interface NgIface {
  linkType: number;
  snapLen?: number;
  /** if_tsresol byte (6 µs, 9 ns, 0x80|20 for 2^-20) */
  tsresol?: number;
  /** if_tsoffset seconds */
  tsoffset?: bigint;
}
export interface NgSection {
  bigEndian?: boolean;
  ifaces: NgIface[];
  /** records with the interface they go on; `obsolete` writes a Packet Block (type 2) */
  records: { r: Rec; iface: number; obsolete?: boolean; withOptions?: boolean }[];
}

function unitsOf(tsresol: number): bigint {
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

/** Sections of pcapng: timestamps written as round((tus/1e6 − tsoffset) × units) of each interface. */
export function pcapngSections(sections: NgSection[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of sections) {
    const le = !s.bigEndian;
    const u32 = (v: number) => { const b = Buffer.alloc(4); le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0); return b; };
    const u16 = (v: number) => { const b = Buffer.alloc(2); le ? b.writeUInt16LE(v) : b.writeUInt16BE(v); return b; };
    const i64 = (v: bigint) => { const b = Buffer.alloc(8); le ? b.writeBigInt64LE(v) : b.writeBigInt64BE(v); return b; };
    const pad4 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
    const opt = (code: number, v: Buffer) => Buffer.concat([u16(code), u16(v.length), pad4(v)]);
    const block = (type: number, body: Buffer) => { const len = 12 + body.length; return Buffer.concat([u32(type), u32(len), body, u32(len)]); };
    parts.push(block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), i64(-1n), opt(4, Buffer.from('metamorphic')), u16(0), u16(0)])));
    for (const f of s.ifaces) {
      const opts: Buffer[] = [opt(2, Buffer.from('eth0'))];
      if (f.tsresol !== undefined) opts.push(opt(9, Buffer.from([f.tsresol])));
      if (f.tsoffset !== undefined) opts.push(opt(14, i64(f.tsoffset)));
      parts.push(block(1, Buffer.concat([u16(f.linkType), u16(0), u32(f.snapLen ?? 262144), ...opts, u16(0), u16(0)])));
    }
    for (const { r, iface, obsolete, withOptions } of s.records) {
      const f = s.ifaces[iface]!;
      const units = unitsOf(f.tsresol ?? 6);
      // exact: tus µs → units, minus the offset, rounded half up
      const num = (BigInt(r.tus) - (f.tsoffset ?? 0n) * 1_000_000n) * units;
      const t = (num + 500_000n) / 1_000_000n;
      const hi = Number(t >> 32n), lo = Number(t & 0xffffffffn);
      const data = pad4(Buffer.from(r.data));
      const options = withOptions ? Buffer.concat([opt(1, Buffer.from('a comment')), opt(2, u32(1)), u16(0), u16(0)]) : Buffer.alloc(0);
      if (obsolete) parts.push(block(2, Buffer.concat([u16(iface), u16(0), u32(hi), u32(lo), u32(r.data.length), u32(r.origLen), data, options])));
      else parts.push(block(6, Buffer.concat([u32(iface), u32(hi), u32(lo), u32(r.data.length), u32(r.origLen), data, options])));
    }
  }
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------- SIP over TCP

export type Segmenting = (msg: Uint8Array) => Uint8Array[];
export const whole: Segmenting = (m) => [m];
export const chunks = (n: number): Segmenting => (m) => { const out: Uint8Array[] = []; for (let i = 0; i < m.length; i += n) out.push(m.subarray(i, i + n)); return out; };
export const atBody: Segmenting = (m) => { const i = Buffer.from(m).indexOf('\r\n\r\n'); return i < 0 || i + 4 >= m.length ? [m] : [m.subarray(0, i + 2), m.subarray(i + 2)]; };

/**
 * The capture with every SIP-over-UDP datagram carried over TCP instead (one connection per
 * address/port pair, opened by the first sender with a handshake just before its first message;
 * `Via: SIP/2.0/UDP` → TCP). Returns old frame → new frame of the record that completes it.
 */
export function sipOverTcp(cap: Cap, seg: Segmenting, viaTcp = true): { cap: Cap; renumber: Map<number, number> } {
  const conns = new Map<string, { seq: Map<string, number> }>();
  const out: Rec[] = [];
  const renumber = new Map<number, number>();
  cap.records.forEach((r, i) => {
    const d = decode(r, cap.linkType);
    if (!d || d.proto !== 'udp' || !isSipPayload(d.payload)) {
      out.push(r);
      renumber.set(i + 1, out.length);
      return;
    }
    const a = `${d.src}:${d.sport}`, b = `${d.dst}:${d.dport}`;
    const key = [a, b].sort().join('|');
    let c = conns.get(key);
    const base = { src: d.src, dst: d.dst, sport: d.sport, dport: d.dport, proto: 'tcp' as const, tus: r.tus, ...(d.ttl !== undefined ? { ttl: d.ttl } : {}) };
    const rev = { ...base, src: d.dst, dst: d.src, sport: d.dport, dport: d.sport };
    if (!c) {
      c = { seq: new Map([[a, 1000], [b, 5000]]) };
      conns.set(key, c);
      out.push(rec({ ...base, payload: new Uint8Array(0), tcp: { seq: 999, ack: 0, flags: 0x02, window: 65535 } }));
      out.push(rec({ ...rev, payload: new Uint8Array(0), tcp: { seq: 4999, ack: 1000, flags: 0x12, window: 65535 } }));
      out.push(rec({ ...base, payload: new Uint8Array(0), tcp: { seq: 1000, ack: 5000, flags: 0x10, window: 65535 } }));
    }
    let text = Buffer.from(d.payload).toString('latin1');
    if (viaTcp) text = text.replace(/^(Via|v)(\s*:\s*SIP\/2\.0\/)UDP/gim, '$1$2TCP');
    const msg = Buffer.from(text, 'latin1');
    for (const part of seg(msg)) {
      const s = c.seq.get(a)!;
      out.push(rec({ ...base, payload: part, tcp: { seq: s, ack: c.seq.get(b)!, flags: 0x18, window: 65535 } }));
      c.seq.set(a, s + part.length);
    }
    renumber.set(i + 1, out.length);
  });
  return { cap: { ...cap, records: out }, renumber };
}

// ---------------------------------------------------------------- mid renaming

/** RTP: the one-byte-header element `id` (the sdes:mid extension) rewritten by `f`; other elements kept. */
export function renameRtpMid(p: Uint8Array, ids: ReadonlySet<number>, f: (mid: string) => string): Uint8Array {
  const b = Buffer.from(p);
  if (!(b[0]! & 0x10)) return b;
  const at = 12 + 4 * (b[0]! & 15);
  if (b.readUInt16BE(at) !== 0xbede) return b;
  const words = b.readUInt16BE(at + 2);
  const data = b.subarray(at + 4, at + 4 + words * 4);
  const els: Buffer[] = [];
  for (let i = 0; i < data.length; ) {
    const h = data[i]!;
    if (h === 0) { i++; continue; }
    const id = h >> 4, len = (h & 15) + 1;
    if (id === 15) break;
    let v = data.subarray(i + 1, i + 1 + len);
    if (ids.has(id)) v = Buffer.from(f(v.toString('latin1')), 'latin1');
    if (v.length < 1 || v.length > 16) throw new Error('mid too long for one-byte header');
    els.push(Buffer.from([(id << 4) | (v.length - 1)]), v);
    i += 1 + len;
  }
  let ext = Buffer.concat(els);
  ext = Buffer.concat([ext, Buffer.alloc((4 - (ext.length % 4)) % 4)]);
  const hdr = Buffer.from([0xbe, 0xde, 0, 0]);
  hdr.writeUInt16BE(ext.length / 4, 2);
  return Buffer.concat([b.subarray(0, at), hdr, ext, b.subarray(at + 4 + words * 4)]);
}

/** RTCP: every SDES packet's MID items (type 12) rewritten by `f` (chunks re-encoded). */
export function renameSdesMid(p: Uint8Array, f: (mid: string) => string): Uint8Array {
  const b = Buffer.from(p);
  const out: Buffer[] = [];
  let off = 0;
  while (off + 4 <= b.length) {
    const len = (b.readUInt16BE(off + 2) + 1) * 4;
    const pt = b[off + 1]!;
    const pkt = b.subarray(off, off + len);
    if (pt !== 202 || (pkt[0]! & 0x20)) { out.push(pkt); off += len; continue; }
    const count = pkt[0]! & 31;
    const chunks: Buffer[] = [];
    let at = 4;
    for (let c = 0; c < count; c++) {
      const parts: Buffer[] = [pkt.subarray(at, at + 4)];
      at += 4;
      while (at < len && pkt[at] !== 0) {
        const t = pkt[at]!, l = pkt[at + 1]!;
        let v = pkt.subarray(at + 2, at + 2 + l);
        if (t === 12) v = Buffer.from(f(v.toString('latin1')), 'latin1');
        parts.push(Buffer.from([t, v.length]), v);
        at += 2 + l;
      }
      at = (at + 1 + 3) & ~3;
      let chunk = Buffer.concat([...parts, Buffer.from([0])]);
      chunk = Buffer.concat([chunk, Buffer.alloc((4 - (chunk.length % 4)) % 4)]);
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const h = Buffer.from([pkt[0]!, 202, 0, 0]);
    h.writeUInt16BE((body.length + 4) / 4 - 1, 2);
    out.push(h, body);
    off += len;
  }
  return Buffer.concat(out);
}

/** SIP/SDP: a=mid, a=group, JSON "mid" values renamed; Content-Length fixed. Returns also the extmap ids of sdes:mid. */
export function renameSdpMid(text: string, f: (mid: string) => string, ids: Set<number>): string {
  const t = text
    .replace(/^a=mid:(\S+)/gm, (_, m) => `a=mid:${f(m)}`)
    .replace(/^(a=group:\S+)((?: \S+)+)/gm, (_, g, ms: string) => g + ms.replace(/\S+/g, (m) => f(m)))
    .replace(/("mid"\s*:\s*")([^"]*)"/g, (_, p, m) => `${p}${f(m)}"`)
    .replace(/(\bmid=)([\w-]+)/g, (_, p, m) => `${p}${f(m)}`);
  for (const m of t.matchAll(/^a=extmap:(\d+)(?:\/\w+)? urn:ietf:params:rtp-hdrext:sdes:mid/gm)) ids.add(Number(m[1]));
  return fixContentLength(t);
}
