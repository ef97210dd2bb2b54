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
import { SNAPLEN_CUT } from './ipv4.js';

export const UDP_HEADER = 8;

export interface UdpHeader {
  sport: number;
  dport: number;
  payloadOffset: number;
  /** the captured bytes of the payload */
  payloadLength: number;
  /** bytes of the payload past the captured ones (the snap length cut them); 0 for a whole datagram */
  cut: number;
}

export function createUdpHeader(): UdpHeader {
  return { sport: 0, dport: 0, payloadOffset: 0, payloadLength: 0, cut: 0 };
}

/**
 * Decodes the UDP header at bytes[at, end), where `end` is the captured end of the IP payload
 * and `missing` how many bytes of that payload the snap length cut off after it (0: none).
 */
export function decodeUdpHeader(bytes: Uint8Array, at: number, end: number, out: UdpHeader, err: LayerError, missing = 0): boolean {
  const have = end - at;
  if (have < UDP_HEADER) return fail(err, at, `UDP header ${missing > 0 ? SNAPLEN_CUT : 'cut short'}: ${have} of ${UDP_HEADER} bytes`);
  const wire = have + missing;
  let length = readUint16(bytes, at + 4);
  // Zero is the length of an IPv6 jumbogram (RFC 2675): the IP layer has the real one.
  if (length === 0 && wire > 0xffff) length = wire;
  if (length < UDP_HEADER) return fail(err, at + 4, `UDP length ${length} below ${UDP_HEADER}`);
  if (length > wire) {
    const where = missing > 0 ? `${wire} bytes of the IP payload on the wire (${have} captured)` : `${have} bytes of the IP payload`;
    return fail(err, at + 4, `UDP length ${length} exceeds the ${where}`);
  }
  const cut = length > have ? length - have : 0;
  out.sport = readUint16(bytes, at);
  out.dport = readUint16(bytes, at + 2);
  out.payloadOffset = at + UDP_HEADER;
  out.payloadLength = length - cut - UDP_HEADER;
  out.cut = cut;
  return true;
}
