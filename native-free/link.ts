/**
 * Link layers: find where the IP packet starts in a capture record.
 *
 *  Ethernet II (LINKTYPE_ETHERNET 1), with any number of 802.1Q / 802.1ad tags (and 802.3 frames with LLC/SNAP, RFC 1042):
 *  | dst MAC (6) | src MAC (6) | [TPID 8100|88a8|9100 (2) | TCI (2)]* | EtherType (2) | payload
 *
 *  Linux cooked v1 (LINKTYPE_LINUX_SLL 113), 16 bytes:
 *  | packet type (2) | ARPHRD (2) | addr len (2) | addr (8) | protocol (2) |
 *
 *  Linux cooked v2 (LINKTYPE_LINUX_SLL2 276), 20 bytes:
 *  | protocol (2) | reserved (2) | ifindex (4) | ARPHRD (2) | pkt type (1) | addr len (1) | addr (8) |
 *
 *  BSD loopback (LINKTYPE_NULL 0): address family, 4 bytes in the capturing host's byte order.
 *  OpenBSD loopback (LINKTYPE_LOOP 108): the same family, in network byte order.
 *  Raw IP (LINKTYPE_RAW 101 either version, and DLT_RAW's platform values 12 and 14 some
 *  writers put in files; LINKTYPE_IPV4 228, LINKTYPE_IPV6 229): no header.
 */
import { readUint16 } from './big-endian.js';
import { fail, type LayerError } from './layer-error.js';
import { LinkType } from './types.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
/** pre-standard QinQ outer tag some switches still send */
const ETHERTYPE_QINQ_LEGACY = 0x9100;
/** MPLS unicast and multicast (RFC 3032, RFC 5332): a label stack, then (here) IP */
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
/** PPPoE session stage (RFC 2516 §5.2): a 6-byte header, the PPP protocol, the packet */
const ETHERTYPE_PPPOE_SESSION = 0x8864;
const MPLS_LABEL_ENTRY = 4;
const PPPOE_SESSION_HEADER = 8;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
/** EtherType values at or below this are 802.3 lengths, not protocols. */
const MAX_8023_LENGTH = 1500;
/** LLC (DSAP, SSAP, control) and SNAP (OUI, EtherType) after an 802.3 length */
const LLC_SNAP_HEADER = 8;

const ETHERNET_HEADER = 14;
const VLAN_TAG = 4;
const SLL_HEADER = 16;
const SLL2_HEADER = 20;
const LOOPBACK_HEADER = 4;

const AF_INET = 2;
/** AF_INET6 as NetBSD/OpenBSD, FreeBSD and Darwin number it. */
const AF_INET6_BSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

/** Where the network layer starts and what it is. */
export interface LinkLayer {
  /** ETHERTYPE_IPV4 or ETHERTYPE_IPV6 when found */
  etherType: number;
  /** offset of the IP header in the record's buffer */
  networkOffset: number;
}

/**
 * NETWORK: an IP packet follows; OTHER: a well-formed frame that carries something else (ARP,
 * an 802.3 length, another address family); MALFORMED: a header cut short; UNSUPPORTED: a link
 * type this decoder does not read (802.11, USER0, ...), so nothing is known of the record.
 */
export const LinkResult = { NETWORK: 0, OTHER: 1, MALFORMED: 2, UNSUPPORTED: 3 } as const;
export type LinkResult = (typeof LinkResult)[keyof typeof LinkResult];

export function createLinkLayer(): LinkLayer {
  return { etherType: 0, networkOffset: 0 };
}

function ipEtherType(etherType: number, out: LinkLayer, at: number): LinkResult {
  if (etherType !== ETHERTYPE_IPV4 && etherType !== ETHERTYPE_IPV6) return LinkResult.OTHER;
  out.etherType = etherType;
  out.networkOffset = at;
  return LinkResult.NETWORK;
}

/**
 * Classifies the payload after an EtherType field whose value is `etherType` and whose payload
 * starts at `payloadAt`, skipping VLAN tags (TCI + inner EtherType, 4 bytes each) on the way.
 */
function afterEtherType(
  bytes: Uint8Array,
  etherType: number,
  payloadAt: number,
  end: number,
  out: LinkLayer,
  err: LayerError,
): LinkResult {
  let type = etherType;
  let at = payloadAt;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_LEGACY) {
    if (end - at < VLAN_TAG) {
      fail(err, at, `VLAN tag cut short: ${end - at} of ${VLAN_TAG} bytes`);
      return LinkResult.MALFORMED;
    }
    type = readUint16(bytes, at + 2);
    at += VLAN_TAG;
  }
  if (type <= MAX_8023_LENGTH) return afterLlc(bytes, at, end, out, err);
  if (type === ETHERTYPE_MPLS || type === ETHERTYPE_MPLS_MULTICAST) return afterMplsLabels(bytes, at, end, out, err);
  if (type === ETHERTYPE_PPPOE_SESSION) {
    if (end - at < PPPOE_SESSION_HEADER) {
      fail(err, at, `PPPoE session header cut short: ${end - at} of ${PPPOE_SESSION_HEADER} bytes`);
      return LinkResult.MALFORMED;
    }
    // version 1, type 1, code 0 (session data); then the PPP protocol field
    if (bytes[at] !== 0x11 || bytes[at + 1] !== 0) return LinkResult.OTHER;
    const ppp = readUint16(bytes, at + 6);
    if (ppp === PPP_IPV4) return ipEtherType(ETHERTYPE_IPV4, out, at + PPPOE_SESSION_HEADER);
    if (ppp === PPP_IPV6) return ipEtherType(ETHERTYPE_IPV6, out, at + PPPOE_SESSION_HEADER);
    return LinkResult.OTHER;
  }
  return ipEtherType(type, out, at);
}

/**
 * An 802.3 frame (a length where the EtherType would be): an 802.2 LLC header, and where it is
 * SNAP (DSAP and SSAP 0xAA, UI) with an EtherType-encapsulating OUI (RFC 1042's 00-00-00,
 * 802.1H's 00-00-F8), the EtherType and the packet it names; anything else (STP, NetBIOS, IPX
 * over LLC) is not IP.
 */
function afterLlc(bytes: Uint8Array, at: number, end: number, out: LinkLayer, err: LayerError): LinkResult {
  if (end - at < LLC_SNAP_HEADER || bytes[at] !== 0xaa || bytes[at + 1] !== 0xaa || bytes[at + 2] !== 0x03) return LinkResult.OTHER;
  if (bytes[at + 3] !== 0 || bytes[at + 4] !== 0 || (bytes[at + 5] !== 0 && bytes[at + 5] !== 0xf8)) return LinkResult.OTHER;
  const type = readUint16(bytes, at + 6);
  // a length again would be an 802.3 frame inside SNAP: nothing an IP packet is carried in
  return type <= MAX_8023_LENGTH ? LinkResult.OTHER : afterEtherType(bytes, type, at + LLC_SNAP_HEADER, end, out, err);
}

/**
 * An MPLS label stack (RFC 3032 §2.1: 4-byte entries, the last with the bottom-of-stack bit),
 * then the packet it carries: IPv4 or IPv6 by its version nibble, as tshark guesses too
 * (anything else — a pseudowire's control word, Ethernet over MPLS — is not read).
 */
function afterMplsLabels(bytes: Uint8Array, start: number, end: number, out: LinkLayer, err: LayerError): LinkResult {
  let at = start;
  for (;;) {
    if (end - at < MPLS_LABEL_ENTRY) {
      fail(err, at, `MPLS label stack cut short: ${end - at} of ${MPLS_LABEL_ENTRY} bytes`);
      return LinkResult.MALFORMED;
    }
    const bottom = (bytes[at + 2]! & 1) === 1;
    at += MPLS_LABEL_ENTRY;
    if (bottom) break;
  }
  if (at >= end) return LinkResult.OTHER;
  const version = bytes[at]! >> 4;
  if (version === 4) return ipEtherType(ETHERTYPE_IPV4, out, at);
  if (version === 6) return ipEtherType(ETHERTYPE_IPV6, out, at);
  return LinkResult.OTHER;
}

function ipVersionOfRaw(bytes: Uint8Array, start: number, end: number, out: LinkLayer, err: LayerError): LinkResult {
  if (end - start < 1) {
    fail(err, start, 'raw IP record is empty');
    return LinkResult.MALFORMED;
  }
  const version = bytes[start]! >> 4;
  if (version === 4) return ipEtherType(ETHERTYPE_IPV4, out, start);
  if (version === 6) return ipEtherType(ETHERTYPE_IPV6, out, start);
  fail(err, start, `raw IP record with IP version ${version}`);
  return LinkResult.MALFORMED;
}

function loopbackFamily(family: number, start: number, out: LinkLayer): LinkResult {
  if (family === AF_INET) return ipEtherType(ETHERTYPE_IPV4, out, start + LOOPBACK_HEADER);
  if (family === AF_INET6_BSD || family === AF_INET6_FREEBSD || family === AF_INET6_DARWIN) {
    return ipEtherType(ETHERTYPE_IPV6, out, start + LOOPBACK_HEADER);
  }
  return LinkResult.OTHER;
}

function shortHeader(err: LayerError, start: number, name: string, have: number, need: number): LinkResult {
  fail(err, start, `${name} header cut short: ${have} of ${need} bytes`);
  return LinkResult.MALFORMED;
}

/**
 * Finds the IP header in the record bytes[start, end) of the given link type. Like every
 * decoder here, it reports error offsets within `bytes`; the caller makes them record-relative.
 */
export function decodeLinkLayer(bytes: Uint8Array, start: number, end: number, linkType: number, out: LinkLayer, err: LayerError): LinkResult {
  const have = end - start;
  switch (linkType) {
    case LinkType.ETHERNET:
      if (have < ETHERNET_HEADER) return shortHeader(err, start, 'Ethernet', have, ETHERNET_HEADER);
      return afterEtherType(bytes, readUint16(bytes, start + 12), start + ETHERNET_HEADER, end, out, err);
    case LinkType.LINUX_SLL:
      if (have < SLL_HEADER) return shortHeader(err, start, 'Linux cooked (SLL)', have, SLL_HEADER);
      return afterEtherType(bytes, readUint16(bytes, start + 14), start + SLL_HEADER, end, out, err);
    case LinkType.LINUX_SLL2:
      if (have < SLL2_HEADER) return shortHeader(err, start, 'Linux cooked (SLL2)', have, SLL2_HEADER);
      // The protocol leads the SLL2 header; a VLAN tag, if any, follows the whole header.
      return afterEtherType(bytes, readUint16(bytes, start), start + SLL2_HEADER, end, out, err);
    case LinkType.RAW:
    case LinkType.RAW_DLT12:
    case LinkType.RAW_DLT14:
      return ipVersionOfRaw(bytes, start, end, out, err);
    case LinkType.IPV4:
      return ipEtherType(ETHERTYPE_IPV4, out, start);
    case LinkType.IPV6:
      return ipEtherType(ETHERTYPE_IPV6, out, start);
    case LinkType.NULL: {
      if (have < LOOPBACK_HEADER) return shortHeader(err, start, 'loopback', have, LOOPBACK_HEADER);
      // Host byte order: the family is small, so whichever end holds the non-zero byte wins.
      const family =
        bytes[start]! === 0 && bytes[start + 1]! === 0 ? readUint16(bytes, start + 2) : bytes[start]! | (bytes[start + 1]! << 8);
      return loopbackFamily(family, start, out);
    }
    case LinkType.LOOP:
      if (have < LOOPBACK_HEADER) return shortHeader(err, start, 'loopback', have, LOOPBACK_HEADER);
      return loopbackFamily(readUint16(bytes, start + 2), start, out);
    default:
      return LinkResult.UNSUPPORTED;
  }
}
