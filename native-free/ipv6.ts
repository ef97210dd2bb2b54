/**
 * IPv6 header (RFC 8200 §3) and the extension headers in front of the upper layer.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Payload Length        |  Next Header  |   Hop Limit   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Source Address (128 bits)                   |
 *  |                Destination Address (128 bits)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  Hop-by-hop (0), routing (43), destination options (60), and every later extension header
 *  (RFC 6564 §4's uniform format: mobility 135, HIP 139, Shim6 140, experimental 253/254):
 *  | Next Header | Hdr Ext Len (8-octet units, not counting the first 8) | data ... |
 *  Authentication header (51): | Next Header | Payload Len (4-octet units, minus 2) | ... |
 *  Fragment (44), 8 bytes:
 *  | Next Header | Reserved | Fragment Offset (13 bits) | Res | M | Identification (32) |
 */
import { readUint16, readUint32 } from './big-endian.js';
import { fail, type LayerError } from './layer-error.js';
import { SNAPLEN_CUT } from './ipv4.js';

export const IPV6_HEADER = 40;
const IPPROTO_HOPOPTS = 0;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_AH = 51;
const IPPROTO_DSTOPTS = 60;
const FRAGMENT_HEADER = 8;

/**
 * The IANA "IPv6 Extension Header Types" registry less fragment (44), AH (51) and ESP (50, whose
 * payload is encrypted: no header chain to read on): all in RFC 6564's uniform format, so RFC
 * 7045 §2.2 asks a node that examines the chain to walk them all.
 */
const UNIFORM_EXTENSION_HEADERS = new Set([IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS, 135, 139, 140, 253, 254]);

/**
 * Protocol numbers IANA has not assigned (146–252) and the reserved 255: neither an upper layer
 * nor an extension header, so the chain cannot be read past them (RFC 8200 §4: an unrecognized
 * Next Header makes the packet unprocessable) and the packet is malformed, not someone else's.
 */
const isUnassignedNextHeader = (next: number): boolean => (next >= 146 && next <= 252) || next === 255;

export interface Ipv6Header {
  /** offset of the source address; the destination follows 16 bytes later */
  addressOffset: number;
  /** the upper-layer protocol, or the next header after a fragment header */
  protocol: number;
  /** where the upper layer (or, for a fragment, the fragmentable part) starts */
  payloadOffset: number;
  /** one past the last captured byte the payload length covers */
  payloadEnd: number;
  /** bytes the payload length covers past the captured ones (the snap length cut them); 0 for a whole packet */
  cut: number;
  fragment: boolean;
  fragmentOffset: number;
  moreFragments: boolean;
  identification: number;
}

export function createIpv6Header(): Ipv6Header {
  return {
    addressOffset: 0,
    protocol: 0,
    payloadOffset: 0,
    payloadEnd: 0,
    cut: 0,
    fragment: false,
    fragmentOffset: 0,
    moreFragments: false,
    identification: 0,
  };
}

/**
 * Walks extension headers from `nextHeader` at bytes[at, end) up to the upper layer or a
 * fragment header, filling `out.protocol`, `out.payloadOffset` and the fragment fields. Used on
 * a packet and again on a reassembled fragmentable part. `missing` bytes past `end` were cut off
 * by the snap length: a header running into them is named as cut rather than broken.
 * `afterIpv6Header`: the walk starts right after the fixed IPv6 header, the one place a
 * hop-by-hop header may be (RFC 8200 §4.1); anywhere else it makes the packet malformed (§4.3: a
 * receiver discards it with a Parameter Problem).
 */
export function walkIpv6Extensions(
  bytes: Uint8Array,
  at: number,
  end: number,
  nextHeader: number,
  out: Ipv6Header,
  err: LayerError,
  missing = 0,
  afterIpv6Header = false,
): boolean {
  let next = nextHeader;
  let pos = at;
  out.fragment = false;
  const short = missing > 0 ? SNAPLEN_CUT : 'cut short';
  for (;;) {
    if (next === IPPROTO_HOPOPTS && !(afterIpv6Header && pos === at)) {
      return fail(err, pos, 'IPv6 hop-by-hop options header (next header 0) not right after the IPv6 header (RFC 8200 §4.1): the header chain cannot be read');
    }
    if (UNIFORM_EXTENSION_HEADERS.has(next) || next === IPPROTO_AH) {
      if (end - pos < 8) return fail(err, pos, `IPv6 extension header ${next} ${short}: ${end - pos} of 8 bytes`);
      const length = next === IPPROTO_AH ? (bytes[pos + 1]! + 2) * 4 : (bytes[pos + 1]! + 1) * 8;
      if (length > end - pos) {
        if (length <= end - pos + missing) return fail(err, pos + 1, `IPv6 extension header ${next} of ${length} bytes ${SNAPLEN_CUT}: ${end - pos} captured`);
        return fail(err, pos + 1, `IPv6 extension header ${next} of ${length} bytes exceeds the ${end - pos + missing} left`);
      }
      next = bytes[pos]!;
      pos += length;
    } else if (next === IPPROTO_FRAGMENT) {
      if (end - pos < FRAGMENT_HEADER) return fail(err, pos, `IPv6 fragment header ${short}: ${end - pos} of ${FRAGMENT_HEADER} bytes`);
      const field = readUint16(bytes, pos + 2);
      out.fragment = true;
      out.fragmentOffset = field & 0xfff8;
      out.moreFragments = (field & 1) !== 0;
      out.identification = readUint32(bytes, pos + 4);
      out.protocol = bytes[pos]!;
      out.payloadOffset = pos + FRAGMENT_HEADER;
      return true;
    } else if (isUnassignedNextHeader(next)) {
      return fail(err, pos, `IPv6 next header ${next} is not an assigned protocol or extension header: the header chain cannot be read`);
    } else {
      out.protocol = next;
      out.payloadOffset = pos;
      return true;
    }
  }
}

/**
 * Decodes the IPv6 header at bytes[at, end) and its extension headers. `missing` is how many
 * bytes past `end` the snap length cut off the record (0 when it was captured whole): the
 * payload length may run into them, and `out.cut` says by how much.
 */
export function decodeIpv6Header(bytes: Uint8Array, at: number, end: number, out: Ipv6Header, err: LayerError, missing = 0): boolean {
  const have = end - at;
  if (have < IPV6_HEADER) return fail(err, at, `IPv6 header ${missing > 0 ? SNAPLEN_CUT : 'cut short'}: ${have} of ${IPV6_HEADER} bytes`);
  const version = bytes[at]! >> 4;
  if (version !== 6) return fail(err, at, `IPv6 header with version ${version}`);
  const captured = have - IPV6_HEADER;
  let payloadLength = readUint16(bytes, at + 4);
  // Zero means a jumbogram (hop-by-hop option) or an offloaded packet: take what was on the wire.
  if (payloadLength === 0) payloadLength = captured + missing;
  if (payloadLength > captured + missing) {
    const where = missing > 0 ? `${captured + missing} bytes on the wire (${captured} captured)` : `${captured} bytes captured`;
    return fail(err, at + 4, `IPv6 payload length ${payloadLength} exceeds the ${where}`);
  }
  const cut = payloadLength > captured ? payloadLength - captured : 0;
  out.addressOffset = at + 8;
  out.payloadEnd = at + IPV6_HEADER + payloadLength - cut;
  out.cut = cut;
  return walkIpv6Extensions(bytes, at + IPV6_HEADER, out.payloadEnd, bytes[at + 6]!, out, err, cut, true);
}

/**
 * RFC 5952 text: lower-case hex, leading zeros dropped, the longest run (of two or more) of zero
 * groups as "::", the first of equal runs. The last 32 bits as a dotted quad where tshark writes
 * them so: an IPv4-mapped address (::ffff:192.0.2.1, RFC 5952 §5) and an IPv4-compatible one
 * (::192.0.2.1, its last two groups both in use: ::2 stays ::2).
 */
export function formatIpv6(bytes: Uint8Array, at: number): string {
  const words: number[] = [];
  for (let g = 0; g < 8; g++) words.push(readUint16(bytes, at + g * 2));
  let bestStart = -1;
  let bestLength = 1;
  for (let g = 0; g < 8; ) {
    if (words[g] !== 0) {
      g++;
      continue;
    }
    let run = g;
    while (run < 8 && words[run] === 0) run++;
    if (run - g > bestLength) {
      bestStart = g;
      bestLength = run - g;
    }
    g = run;
  }
  const dotted = bestStart === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff));
  const hexGroups = dotted ? 6 : 8;
  let text = '';
  for (let g = 0; g < hexGroups; g++) {
    if (g === bestStart) {
      text += '::';
      g += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    text += words[g]!.toString(16);
  }
  if (dotted) {
    if (!text.endsWith(':')) text += ':';
    text += `${words[6]! >>> 8}.${words[6]! & 0xff}.${words[7]! >>> 8}.${words[7]! & 0xff}`;
  }
  return text;
}
