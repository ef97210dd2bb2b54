/**
 * The tunnels a traffic mirror delivers packets in, opened as tshark opens them by default:
 *
 *  GRE (IP protocol 47, RFC 2784/2890): | C R K S s recur (1) | flags, version 0 (1) | protocol (2) |
 *    [checksum + reserved (4) if C] [key (4) if K] [sequence (4) if S] | payload
 *    protocol 0x0800 / 0x86dd IP; 0x6558 an Ethernet frame (transparent Ethernet bridging);
 *    0x88be ERSPAN: type II (a sequence number present) an 8-byte header before the frame,
 *    type I (none) the frame itself; 0x22eb ERSPAN type III: a 12-byte header, 8 more when its
 *    last bit (O) says a platform subheader follows.
 *  VXLAN (UDP port 4789, RFC 7348): | flags, I = 0x08 (1) | reserved (3) | VNI (3) | reserved (1) | Ethernet frame
 *    (AWS, Azure and VMware traffic mirroring).
 *  Geneve (UDP port 6081, RFC 8926): | version 0, options length in words (1) | O C flags (1) |
 *    protocol (2) | VNI (3) | reserved (1) | options | payload, protocol as GRE's.
 *
 * Each says where its payload starts and whether it is an Ethernet frame or an IP packet; the
 * packet layers then read the inner packet as any other, and its addresses are the ones that
 * bind media to calls (the outer ones are the mirror's).
 */
import { readUint16 } from './big-endian.js';
import { fail, type LayerError } from './layer-error.js';

export const IPPROTO_GRE = 47;
const VXLAN_PORT = 4789;
const GENEVE_PORT = 6081;

const PROTO_IPV4 = 0x0800;
const PROTO_IPV6 = 0x86dd;
const PROTO_ETHERNET = 0x6558;
const PROTO_ERSPAN = 0x88be;
const PROTO_ERSPAN_III = 0x22eb;

/** What a tunnel carries: nothing read (another protocol, a GRE version or routing not read), or where its payload starts. */
export const Tunnel = { OTHER: 0, IPV4: 4, IPV6: 6, ETHERNET: 1, MALFORMED: -1 } as const;
export type Tunnel = (typeof Tunnel)[keyof typeof Tunnel];

export interface TunnelPayload {
  /** where the inner packet or frame starts */
  at: number;
}

export function createTunnelPayload(): TunnelPayload {
  return { at: 0 };
}

function carried(protocol: number, at: number, out: TunnelPayload): Tunnel {
  out.at = at;
  if (protocol === PROTO_IPV4) return Tunnel.IPV4;
  if (protocol === PROTO_IPV6) return Tunnel.IPV6;
  if (protocol === PROTO_ETHERNET) return Tunnel.ETHERNET;
  return Tunnel.OTHER;
}

function cutShort(err: LayerError, at: number, name: string, have: number, need: number): Tunnel {
  fail(err, at, `${name} header cut short: ${have} of ${need} bytes`);
  return Tunnel.MALFORMED;
}

/** A GRE packet's payload in bytes[at, end). */
export function openGre(bytes: Uint8Array, at: number, end: number, out: TunnelPayload, err: LayerError): Tunnel {
  if (end - at < 4) return cutShort(err, at, 'GRE', end - at, 4);
  const flags = bytes[at]!;
  // version 1 is PPTP's enhanced GRE (PPP inside); source routing (R, RFC 1701) is not read
  if ((bytes[at + 1]! & 0x07) !== 0 || flags & 0x40) return Tunnel.OTHER;
  const sequenced = (flags & 0x10) !== 0;
  const header = 4 + (flags & 0x80 ? 4 : 0) + (flags & 0x20 ? 4 : 0) + (sequenced ? 4 : 0);
  if (end - at < header) return cutShort(err, at, 'GRE', end - at, header);
  const protocol = readUint16(bytes, at + 2);
  const payload = at + header;
  if (protocol === PROTO_ERSPAN) {
    if (!sequenced) return carried(PROTO_ETHERNET, payload, out);
    if (end - payload < 8) return cutShort(err, payload, 'ERSPAN type II', end - payload, 8);
    return carried(PROTO_ETHERNET, payload + 8, out);
  }
  if (protocol === PROTO_ERSPAN_III) {
    if (end - payload < 12) return cutShort(err, payload, 'ERSPAN type III', end - payload, 12);
    const length = bytes[payload + 11]! & 0x01 ? 20 : 12;
    if (end - payload < length) return cutShort(err, payload, 'ERSPAN type III', end - payload, length);
    return carried(PROTO_ETHERNET, payload + length, out);
  }
  return carried(protocol, payload, out);
}

/** Whether UDP to this port may carry a tunnel openUdpTunnel opens (VXLAN, Geneve). */
export function isTunnelPort(dport: number): boolean {
  return dport === VXLAN_PORT || dport === GENEVE_PORT;
}

/**
 * A UDP payload in bytes[at, end) sent to the VXLAN or Geneve port, when it is one (a VXLAN
 * header with its I flag, a Geneve header of version 0); OTHER for anything else there, which
 * is then read as any UDP datagram.
 */
export function openUdpTunnel(dport: number, bytes: Uint8Array, at: number, end: number, out: TunnelPayload, err: LayerError): Tunnel {
  if (dport === VXLAN_PORT) {
    if (end - at < 8 || (bytes[at]! & 0x08) === 0) return Tunnel.OTHER;
    return carried(PROTO_ETHERNET, at + 8, out);
  }
  if (dport === GENEVE_PORT) {
    if (end - at < 8 || bytes[at]! >> 6 !== 0) return Tunnel.OTHER;
    const header = 8 + (bytes[at]! & 0x3f) * 4;
    if (end - at < header) return cutShort(err, at, 'Geneve', end - at, header);
    return carried(readUint16(bytes, at + 2), at + header, out);
  }
  return Tunnel.OTHER;
}
