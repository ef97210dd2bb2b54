/**
 * UDP header (RFC 768).
 *
 *   0      7 8     15 16    23 24    31
 *  +--------+--------+--------+--------+
 *  |   Source Port   | Destination Port|
 *  +--------+--------+--------+--------+
 *  |     Length      |    Checksum     |
 *  +--------+--------+--------+--------+
 *
 * The checksum is not verified (offloaded on the capturing host, often zero over IPv4).
 */
import { readUint16 } from './big-endian.js';
import { fail, type LayerError } from './layer-error.js';

export const UDP_HEADER = 8;

export interface UdpHeader {
  sport: number;
  dport: number;
  payloadOffset: number;
  payloadLength: number;
}

export function createUdpHeader(): UdpHeader {
  return { sport: 0, dport: 0, payloadOffset: 0, payloadLength: 0 };
}

/** Decodes the UDP header at bytes[at, end), where `end` is the end of the IP payload. */
export function decodeUdpHeader(bytes: Uint8Array, at: number, end: number, out: UdpHeader, err: LayerError): boolean {
  const have = end - at;
  if (have < UDP_HEADER) return fail(err, at, `UDP header cut short: ${have} of ${UDP_HEADER} bytes`);
  let length = readUint16(bytes, at + 4);
  // Zero is the length of an IPv6 jumbogram (RFC 2675): the IP layer has the real one.
  if (length === 0 && have > 0xffff) length = have;
  if (length < UDP_HEADER) return fail(err, at + 4, `UDP length ${length} below ${UDP_HEADER}`);
  if (length > have) return fail(err, at + 4, `UDP length ${length} exceeds the ${have} bytes of the IP payload`);
  out.sport = readUint16(bytes, at);
  out.dport = readUint16(bytes, at + 2);
  out.payloadOffset = at + UDP_HEADER;
  out.payloadLength = length - UDP_HEADER;
  return true;
}
