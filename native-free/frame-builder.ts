/**
 * Pure builders of link, IP, UDP and TCP frames, used by capture writers (the sample generator)
 * and by tests of the packet layers. Lengths are always right and checksums are computed, so
 * tshark shows the frames without complaint.
 */
import { joinBytes } from './bytes.js';

export interface EthernetOptions {
  /** one VLAN id gives an 802.1Q tag; two give 802.1ad (outer S-tag) + 802.1Q (inner C-tag). */
  vlan?: number | readonly number[];
  srcMac?: Uint8Array;
  dstMac?: Uint8Array;
}

export interface UdpOverIpOptions extends EthernetOptions {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
  ttl?: number;
  /** IPv4 identification */
  id?: number;
  /** 'raw' leaves out the Ethernet header (for LINKTYPE_RAW/IPV4/IPV6 captures). */
  link?: 'ethernet' | 'raw';
}

export interface TcpOverIpv4Options extends EthernetOptions {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  /** TCP flag bits: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10 */
  flags: number;
  payload: Uint8Array;
  window?: number;
  ttl?: number;
  id?: number;
  link?: 'ethernet' | 'raw';
}

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export const EtherType = { IPV4: 0x0800, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8, ARP: 0x0806 } as const;

export const IpProtocol = {
  HOP_BY_HOP: 0,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  ROUTING: 43,
  FRAGMENT: 44,
  NO_NEXT: 59,
  DEST_OPTS: 60,
} as const;

const DEFAULT_SRC_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const DEFAULT_DST_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);

export function parseIpv4(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${text}`);
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(parts[i]);
    if (!/^\d{1,3}$/.test(parts[i]!) || n > 255) throw new RangeError(`not an IPv4 address: ${text}`);
    out[i] = n;
  }
  return out;
}

/** IPv6 text (RFC 4291 §2.2: hex groups, one "::" at most, a trailing dotted quad) → 16 bytes. */
export function parseIpv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  const groupsText = withoutDottedQuad(text);
  const halves = groupsText.split('::');
  if (halves.length > 2) throw new RangeError(`not an IPv6 address: ${text}`);
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) throw new RangeError(`not an IPv6 address: ${text}`);
  const put = (groups: string[], start: number): void => {
    groups.forEach((g, k) => {
      const n = parseInt(g, 16);
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new RangeError(`not an IPv6 address: ${text}`);
      out[(start + k) * 2] = n >> 8;
      out[(start + k) * 2 + 1] = n & 0xff;
    });
  };
  put(head, 0);
  put(tail, 8 - tail.length);
  return out;
}

/** The text with a trailing dotted quad (::ffff:192.0.2.1) written as its two hex groups (::ffff:c000:201). */
function withoutDottedQuad(text: string): string {
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0 || !text.includes('.', lastColon)) return text;
  let v4: Uint8Array;
  try {
    v4 = parseIpv4(text.slice(lastColon + 1));
  } catch {
    throw new RangeError(`not an IPv6 address: ${text}`);
  }
  return `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
}

/** RFC 1071 one's-complement sum, folded to 16 bits, over several byte ranges. */
function onesComplementSum(initial: number, ...ranges: Uint8Array[]): number {
  let sum = initial;
  for (const r of ranges) {
    let i = 0;
    for (; i + 1 < r.length; i += 2) sum += (r[i]! << 8) | r[i + 1]!;
    if (i < r.length) sum += r[i]! << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function internetChecksum(...ranges: Uint8Array[]): number {
  return ~onesComplementSum(0, ...ranges) & 0xffff;
}

function pseudoHeader(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): Uint8Array {
  if (src.length === 4) {
    const p = new Uint8Array(12);
    p.set(src, 0);
    p.set(dst, 4);
    p[9] = protocol;
    p[10] = length >> 8;
    p[11] = length & 0xff;
    return p;
  }
  const p = new Uint8Array(40);
  p.set(src, 0);
  p.set(dst, 16);
  new DataView(p.buffer).setUint32(32, length);
  p[39] = protocol;
  return p;
}

/** Prefixes an Ethernet II header, with VLAN tags when asked. */
export function wrapEthernet(etherType: number, payload: Uint8Array, opts: EthernetOptions = {}): Uint8Array {
  const vlans = opts.vlan === undefined ? [] : typeof opts.vlan === 'number' ? [opts.vlan] : opts.vlan;
  const header = new Uint8Array(14 + 4 * vlans.length);
  const dv = new DataView(header.buffer);
  header.set(opts.dstMac ?? DEFAULT_DST_MAC, 0);
  header.set(opts.srcMac ?? DEFAULT_SRC_MAC, 6);
  let o = 12;
  vlans.forEach((vid, k) => {
    // The outermost of two tags is the 802.1ad service tag; a lone tag is 802.1Q.
    dv.setUint16(o, vlans.length > 1 && k === 0 ? EtherType.QINQ : EtherType.VLAN);
    dv.setUint16(o + 2, vid & 0x0fff);
    o += 4;
  });
  dv.setUint16(o, etherType);
  return joinBytes([header, payload]);
}

export interface Ipv4PacketOptions {
  src: string | Uint8Array;
  dst: string | Uint8Array;
  protocol: number;
  payload: Uint8Array;
  ttl?: number;
  id?: number;
  /** raw options bytes, padded here to a multiple of 4 */
  options?: Uint8Array;
  /** fragment offset in bytes (multiple of 8) */
  fragmentOffset?: number;
  moreFragments?: boolean;
  dontFragment?: boolean;
  /** overrides the total length field (for malformed-input tests) */
  totalLengthOverride?: number;
}

export function buildIpv4Packet(o: Ipv4PacketOptions): Uint8Array {
  const options = o.options ?? new Uint8Array(0);
  const optLen = (options.length + 3) & ~3;
  const headerLen = 20 + optLen;
  const out = new Uint8Array(headerLen + o.payload.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x40 | (headerLen >> 2);
  dv.setUint16(2, o.totalLengthOverride ?? out.length);
  dv.setUint16(4, (o.id ?? 0) & 0xffff);
  const fragField =
    (o.dontFragment ? 0x4000 : 0) | (o.moreFragments ? 0x2000 : 0) | (((o.fragmentOffset ?? 0) >> 3) & 0x1fff);
  dv.setUint16(6, fragField);
  out[8] = o.ttl ?? 64;
  out[9] = o.protocol;
  out.set(typeof o.src === 'string' ? parseIpv4(o.src) : o.src, 12);
  out.set(typeof o.dst === 'string' ? parseIpv4(o.dst) : o.dst, 16);
  out.set(options, 20);
  dv.setUint16(10, internetChecksum(out.subarray(0, headerLen)));
  out.set(o.payload, headerLen);
  return out;
}

export interface Ipv6ExtensionHeader {
  /** 0 hop-by-hop, 43 routing, 60 destination options, 44 fragment */
  type: number;
  /** the header's bytes after its next-header and length bytes (padded here to 8n+6 bytes) */
  body?: Uint8Array;
}

export interface Ipv6PacketOptions {
  src: string | Uint8Array;
  dst: string | Uint8Array;
  protocol: number;
  payload: Uint8Array;
  hopLimit?: number;
  extensions?: readonly Ipv6ExtensionHeader[];
  payloadLengthOverride?: number;
}

/** Encodes the chain of extension headers; the fragment header is always 8 bytes. */
function encodeIpv6Extensions(extensions: readonly Ipv6ExtensionHeader[], protocol: number): Uint8Array {
  const parts: Uint8Array[] = [];
  extensions.forEach((ext, k) => {
    const next = k + 1 < extensions.length ? extensions[k + 1]!.type : protocol;
    // Without a body: the smallest header, 8 bytes (six Pad1 options, or an all-zero fragment header).
    const body = ext.body ?? new Uint8Array(6);
    const total = ext.type === IpProtocol.FRAGMENT ? 8 : (body.length + 2 + 7) & ~7;
    const h = new Uint8Array(total);
    h[0] = next;
    h[1] = ext.type === IpProtocol.FRAGMENT ? 0 : total / 8 - 1;
    h.set(body.subarray(0, total - 2), 2);
    parts.push(h);
  });
  return joinBytes(parts);
}

/** Body of an IPv6 fragment header: offset in bytes (multiple of 8), M flag, identification. */
export function ipv6FragmentBody(offset: number, more: boolean, id: number): Uint8Array {
  const b = new Uint8Array(6);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, (offset & 0xfff8) | (more ? 1 : 0));
  dv.setUint32(2, id >>> 0);
  return b;
}

export function buildIpv6Packet(o: Ipv6PacketOptions): Uint8Array {
  const ext = encodeIpv6Extensions(o.extensions ?? [], o.protocol);
  const out = new Uint8Array(40 + ext.length + o.payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x60000000);
  dv.setUint16(4, o.payloadLengthOverride ?? ext.length + o.payload.length);
  out[6] = o.extensions && o.extensions.length > 0 ? o.extensions[0]!.type : o.protocol;
  out[7] = o.hopLimit ?? 64;
  out.set(typeof o.src === 'string' ? parseIpv6(o.src) : o.src, 8);
  out.set(typeof o.dst === 'string' ? parseIpv6(o.dst) : o.dst, 24);
  out.set(ext, 40);
  out.set(o.payload, 40 + ext.length);
  return out;
}

/** A UDP datagram with its checksum over the pseudo-header of the given addresses. */
export function buildUdpDatagram(src: Uint8Array, dst: Uint8Array, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, sport);
  dv.setUint16(2, dport);
  dv.setUint16(4, out.length);
  out.set(payload, 8);
  const sum = internetChecksum(pseudoHeader(src, dst, IpProtocol.UDP, out.length), out);
  dv.setUint16(6, sum === 0 ? 0xffff : sum);
  return out;
}

export interface TcpSegmentOptions {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  payload: Uint8Array;
  window?: number;
  /** raw option bytes, padded here to a multiple of 4 */
  options?: Uint8Array;
}

export function buildTcpSegment(src: Uint8Array, dst: Uint8Array, o: TcpSegmentOptions): Uint8Array {
  const options = o.options ?? new Uint8Array(0);
  const headerLen = 20 + ((options.length + 3) & ~3);
  const out = new Uint8Array(headerLen + o.payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, o.sport);
  dv.setUint16(2, o.dport);
  dv.setUint32(4, o.seq >>> 0);
  dv.setUint32(8, (o.ack ?? 0) >>> 0);
  out[12] = (headerLen >> 2) << 4;
  out[13] = o.flags | (o.ack !== undefined ? TcpFlag.ACK : 0);
  dv.setUint16(14, o.window ?? 65535);
  out.set(options, 20);
  out.set(o.payload, headerLen);
  dv.setUint16(16, internetChecksum(pseudoHeader(src, dst, IpProtocol.TCP, out.length), out));
  return out;
}

/** Ethernet (optionally VLAN-tagged) + IPv4 + UDP. */
export function buildEthernetIpv4Udp(o: UdpOverIpOptions): Uint8Array {
  const src = parseIpv4(o.src);
  const dst = parseIpv4(o.dst);
  const ip = buildIpv4Packet({
    src,
    dst,
    protocol: IpProtocol.UDP,
    payload: buildUdpDatagram(src, dst, o.sport, o.dport, o.payload),
    ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
    ...(o.id !== undefined ? { id: o.id } : {}),
  });
  return o.link === 'raw' ? ip : wrapEthernet(EtherType.IPV4, ip, o);
}

/** IPv6 + UDP, in an Ethernet frame unless `link: 'raw'`. */
export function buildIpv6Udp(o: UdpOverIpOptions): Uint8Array {
  const src = parseIpv6(o.src);
  const dst = parseIpv6(o.dst);
  const ip = buildIpv6Packet({
    src,
    dst,
    protocol: IpProtocol.UDP,
    payload: buildUdpDatagram(src, dst, o.sport, o.dport, o.payload),
    ...(o.ttl !== undefined ? { hopLimit: o.ttl } : {}),
  });
  return o.link === 'raw' ? ip : wrapEthernet(EtherType.IPV6, ip, o);
}

/** IPv4 + TCP, in an Ethernet frame unless `link: 'raw'`. */
export function buildIpv4Tcp(o: TcpOverIpv4Options): Uint8Array {
  const src = parseIpv4(o.src);
  const dst = parseIpv4(o.dst);
  const segment = buildTcpSegment(src, dst, {
    sport: o.sport,
    dport: o.dport,
    seq: o.seq,
    flags: o.flags,
    payload: o.payload,
    ...(o.ack !== undefined ? { ack: o.ack } : {}),
    ...(o.window !== undefined ? { window: o.window } : {}),
  });
  const ip = buildIpv4Packet({
    src,
    dst,
    protocol: IpProtocol.TCP,
    payload: segment,
    ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
    ...(o.id !== undefined ? { id: o.id } : {}),
  });
  return o.link === 'raw' ? ip : wrapEthernet(EtherType.IPV4, ip, o);
}

/**
 * Splits an IPv4 packet (built without options) into fragments whose payloads are at most
 * `maxPayload` bytes (rounded down to a multiple of 8), as a router would.
 */
export function fragmentIpv4(packet: Uint8Array, maxPayload: number): Uint8Array[] {
  const headerLen = (packet[0]! & 0x0f) * 4;
  const dv = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const step = maxPayload & ~7;
  if (step <= 0) throw new RangeError('fragment payload must be at least 8 bytes');
  const payload = packet.subarray(headerLen);
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += step) {
    const end = Math.min(off + step, payload.length);
    out.push(
      buildIpv4Packet({
        src: packet.subarray(12, 16),
        dst: packet.subarray(16, 20),
        protocol: packet[9]!,
        payload: payload.subarray(off, end),
        ttl: packet[8]!,
        id: dv.getUint16(4),
        fragmentOffset: off,
        moreFragments: end < payload.length,
      }),
    );
  }
  return out;
}
