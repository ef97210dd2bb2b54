/**
 * IPv4 header (RFC 791 §3.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |Type of Service|          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |Flags|      Fragment Offset    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          |
 *  |                    Destination Address                        |
 *  |                    Options (IHL > 5)              |  Padding  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The header checksum is not verified: captures taken on the sending host carry checksums
 * the NIC fills in later.
 *
 * A record the capture's snap length cut (captured length below original length) holds the
 * start of a whole packet: its lengths may run past the captured bytes by as much as was cut
 * (`missing`), and what was captured is decoded. Past even that, the length is broken.
 */
import { readUint16, readUint32 } from './big-endian.js';
import { fail, type LayerError } from './layer-error.js';

export const IPV4_MIN_HEADER = 20;
/** How every layer names a record shorter than its packet because of the capture's snap length. */
export const SNAPLEN_CUT = "cut by the capture's snap length";

export interface Ipv4Header {
  headerLength: number;
  /** the total length field, or the length on the wire when a segmentation-offload capture left it 0 */
  totalLength: number;
  /** bytes of the packet past the captured ones (the snap length cut them); 0 for a whole packet */
  cut: number;
  identification: number;
  moreFragments: boolean;
  /** fragment offset in bytes */
  fragmentOffset: number;
  protocol: number;
  src: number;
  dst: number;
}

export function createIpv4Header(): Ipv4Header {
  return { headerLength: 0, totalLength: 0, cut: 0, identification: 0, moreFragments: false, fragmentOffset: 0, protocol: 0, src: 0, dst: 0 };
}

/**
 * Decodes the IPv4 header at bytes[at, end); error offsets are within `bytes`. `missing` is how
 * many bytes past `end` the snap length cut off the record (0 when it was captured whole).
 */
export function decodeIpv4Header(bytes: Uint8Array, at: number, end: number, out: Ipv4Header, err: LayerError, missing = 0): boolean {
  const have = end - at;
  if (have < IPV4_MIN_HEADER) {
    return fail(err, at, `IPv4 header ${missing > 0 ? SNAPLEN_CUT : 'cut short'}: ${have} of ${IPV4_MIN_HEADER} bytes`);
  }
  const version = bytes[at]! >> 4;
  if (version !== 4) return fail(err, at, `IPv4 header with version ${version}`);
  const headerLength = (bytes[at]! & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER) return fail(err, at, `IPv4 header length ${headerLength} below ${IPV4_MIN_HEADER}`);
  if (headerLength > have) {
    if (headerLength <= have + missing) return fail(err, at, `IPv4 header of ${headerLength} bytes ${SNAPLEN_CUT}: ${have} captured`);
    return fail(err, at, `IPv4 header length ${headerLength} exceeds the ${have} bytes captured`);
  }
  const wire = have + missing;
  let totalLength = readUint16(bytes, at + 2);
  // Segmentation offload hands the capture a packet whose length field is not filled in yet.
  if (totalLength === 0) totalLength = wire;
  if (totalLength < headerLength) return fail(err, at + 2, `IPv4 total length ${totalLength} below header length ${headerLength}`);
  if (totalLength > wire) {
    const where = missing > 0 ? `${wire} bytes on the wire (${have} captured)` : `${have} bytes captured`;
    return fail(err, at + 2, `IPv4 total length ${totalLength} exceeds the ${where}`);
  }
  const fragment = readUint16(bytes, at + 6);
  out.headerLength = headerLength;
  out.totalLength = totalLength;
  out.cut = totalLength > have ? totalLength - have : 0;
  out.identification = readUint16(bytes, at + 4);
  out.moreFragments = (fragment & 0x2000) !== 0;
  out.fragmentOffset = (fragment & 0x1fff) * 8;
  out.protocol = bytes[at + 9]!;
  out.src = readUint32(bytes, at + 12);
  out.dst = readUint32(bytes, at + 16);
  return true;
}

export function formatIpv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}
