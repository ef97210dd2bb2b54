/**
 * HEPv3 (HEP/EEP, the Homer Encapsulation Protocol version 3), as sent by capture agents
 * inside rtpengine, Kamailio, OpenSIPS, FreeSWITCH, Asterisk and heplify.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      'H'      |      'E'      |      'P'      |      '3'      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  total length (header included)|  chunk: vendor id            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  chunk type id                |  chunk length (6 + value)     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  chunk value ...              |  next chunk ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * All numbers are big-endian. Chunks of vendor 0 ("generic") have the types in HepChunk;
 * other vendors' chunks and unknown generic types are skipped and counted, as the spec asks
 * of receivers so that agents can add chunks without breaking collectors.
 */
import { readUint16, readUint32 } from '../../native-free/big-endian.js';
import { formatIpv4 } from '../../native-free/ipv4.js';
import { formatIpv6 } from '../../native-free/ipv6.js';
import { parseIpv4, parseIpv6 } from '../../native-free/frame-builder.js';

export const HEP3_MAGIC = Uint8Array.of(0x48, 0x45, 0x50, 0x33); // "HEP3"
export const HEP_HEADER_BYTES = 6;
export const HEP_CHUNK_HEADER_BYTES = 6;
/** The length field is 16 bits: no frame is longer. */
export const HEP_MAX_FRAME_BYTES = 0xffff;

/** Generic (vendor 0) chunk types. */
export const HepChunk = {
  IP_FAMILY: 1,
  IP_PROTOCOL: 2,
  IPV4_SRC: 3,
  IPV4_DST: 4,
  IPV6_SRC: 5,
  IPV6_DST: 6,
  SRC_PORT: 7,
  DST_PORT: 8,
  TS_SECONDS: 9,
  TS_MICROSECONDS: 10,
  PROTOCOL_TYPE: 11,
  CAPTURE_AGENT_ID: 12,
  KEEP_ALIVE_TIMER: 13,
  AUTH_KEY: 14,
  PAYLOAD: 15,
  COMPRESSED_PAYLOAD: 16,
  CORRELATION_ID: 17,
  VLAN_ID: 18,
  GROUP_ID: 19,
} as const;

/** Values of the protocol type chunk (what the payload is). */
export const HepProtocol = {
  SIP: 1,
  XMPP: 2,
  SDP: 3,
  RTP: 4,
  /** RTCP bytes, or (rtpengine) the compound printed as JSON: rtcp-json.ts reads it back */
  RTCP: 5,
  MGCP: 6,
  MEGACO: 7,
  M2UA: 8,
  M3UA: 9,
  IAX: 10,
  H322: 11,
  H321: 12,
  M2PA: 13,
  MOS_FULL: 34,
  MOS_SHORT: 35,
  SIP_JSON: 50,
  DNS_JSON: 53,
  RTSP: 54,
  DIAMETER: 55,
  JSON_LOG: 100,
} as const;

/** Address families as the IP family chunk carries them (the BSD socket constants). */
const AF_INET = 2;
const AF_INET6 = 10;

/** IP protocol numbers of what agents capture. */
export const IpProtocolNumber = { TCP: 6, UDP: 17, SCTP: 132 } as const;

/** Chunks whose value has one fixed size; any other length is an error, not a guess. */
const FIXED_VALUE_BYTES: ReadonlyMap<number, number> = new Map([
  [HepChunk.IP_FAMILY, 1],
  [HepChunk.IP_PROTOCOL, 1],
  [HepChunk.IPV4_SRC, 4],
  [HepChunk.IPV4_DST, 4],
  [HepChunk.IPV6_SRC, 16],
  [HepChunk.IPV6_DST, 16],
  [HepChunk.SRC_PORT, 2],
  [HepChunk.DST_PORT, 2],
  [HepChunk.TS_SECONDS, 4],
  [HepChunk.TS_MICROSECONDS, 4],
  [HepChunk.PROTOCOL_TYPE, 1],
  [HepChunk.CAPTURE_AGENT_ID, 4],
  [HepChunk.KEEP_ALIVE_TIMER, 2],
  [HepChunk.VLAN_ID, 2],
]);

export interface HepPacket {
  ipVersion: 4 | 6;
  /** IP protocol number of the captured packet (17 UDP, 6 TCP, 132 SCTP). */
  ipProtocol: number;
  /** textual addresses; '' when the agent sent none (logs, keep-alives) */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  tsSeconds: number;
  tsMicroseconds: number;
  /** HepProtocol value: 1 SIP, 5 RTCP, 100 JSON log, ... */
  protocolType: number;
  captureAgentId?: number;
  keepAliveTimer?: number;
  authKey?: string;
  /** chunk 14 as its bytes (decoded frames): what a key is compared with */
  authKeyBytes?: Uint8Array;
  payload: Uint8Array;
  /** the payload was sent in chunk 16 (compressed); it is handed on as sent, not inflated */
  compressed?: boolean;
  correlationId?: string;
  vlanId?: number;
  groupId?: string;
}

export interface DecodedHepPacket extends HepPacket {
  /** bytes of the frame (the total length field) */
  length: number;
  /** chunks skipped: other vendors' and unknown generic types */
  unknownChunks: number;
}

/** A HEP frame that cannot be read: what was wrong and at which byte of the frame. */
export class HepDecodeError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`HEPv3: at byte ${offset}: ${reason}`);
    this.name = 'HepDecodeError';
  }
}

export type HepDecodeResult = { ok: true; packet: DecodedHepPacket } | { ok: false; error: HepDecodeError };

const textDecoder = new TextDecoder();

function failure(offset: number, reason: string): HepDecodeResult {
  return { ok: false, error: new HepDecodeError(offset, reason) };
}

function hasHepMagic(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0x48 && bytes[at + 1] === 0x45 && bytes[at + 2] === 0x50 && bytes[at + 3] === 0x33;
}

/**
 * For stream transports: the length of the frame starting at `at`, 0 when fewer than the six
 * header bytes have arrived, or the error that makes the stream unreadable from here on.
 */
export function hepFrameLength(bytes: Uint8Array, at: number, end: number = bytes.length): number | HepDecodeError {
  if (end - at < HEP_HEADER_BYTES) return 0;
  if (!hasHepMagic(bytes, at)) return new HepDecodeError(0, 'not a HEPv3 frame (no "HEP3" magic)');
  const length = readUint16(bytes, at + 4);
  if (length < HEP_HEADER_BYTES) return new HepDecodeError(4, `total length ${length} below the ${HEP_HEADER_BYTES}-byte header`);
  return length;
}

/**
 * Decodes the HEPv3 frame at the start of `bytes`. Never throws: a bad frame gives a
 * HepDecodeError naming the byte offset within the frame. The payload is a view into `bytes`.
 */
export function decodeHep(bytes: Uint8Array): HepDecodeResult {
  if (bytes.length < HEP_HEADER_BYTES) return failure(0, `header cut short: ${bytes.length} of ${HEP_HEADER_BYTES} bytes`);
  if (!hasHepMagic(bytes, 0)) return failure(0, 'not a HEPv3 frame (no "HEP3" magic)');
  const length = readUint16(bytes, 4);
  if (length < HEP_HEADER_BYTES) return failure(4, `total length ${length} below the ${HEP_HEADER_BYTES}-byte header`);
  if (length > bytes.length) return failure(4, `total length ${length} exceeds the ${bytes.length} bytes available`);

  let family = 0;
  let timed = false;
  let ipv4Src = '';
  let ipv4Dst = '';
  let ipv6Src = '';
  let ipv6Dst = '';
  const packet: DecodedHepPacket = {
    ipVersion: 4,
    ipProtocol: 0,
    src: '',
    dst: '',
    sport: 0,
    dport: 0,
    tsSeconds: 0,
    tsMicroseconds: 0,
    protocolType: 0,
    payload: bytes.subarray(0, 0),
    length,
    unknownChunks: 0,
  };
  let at = HEP_HEADER_BYTES;
  while (at < length) {
    if (length - at < HEP_CHUNK_HEADER_BYTES) return failure(at, `chunk header cut short: ${length - at} of ${HEP_CHUNK_HEADER_BYTES} bytes`);
    const vendor = readUint16(bytes, at);
    const type = readUint16(bytes, at + 2);
    const chunkLength = readUint16(bytes, at + 4);
    if (chunkLength < HEP_CHUNK_HEADER_BYTES) return failure(at + 4, `chunk length ${chunkLength} below the ${HEP_CHUNK_HEADER_BYTES}-byte chunk header`);
    if (chunkLength > length - at) return failure(at + 4, `chunk length ${chunkLength} exceeds the ${length - at} bytes left in the frame`);
    const v = at + HEP_CHUNK_HEADER_BYTES;
    const valueLength = chunkLength - HEP_CHUNK_HEADER_BYTES;
    const fixed = vendor === 0 ? FIXED_VALUE_BYTES.get(type) : undefined;
    if (fixed !== undefined && valueLength !== fixed) {
      return failure(at + 4, `chunk type ${type} value is ${valueLength} bytes, expected ${fixed}`);
    }
    if (vendor !== 0) {
      packet.unknownChunks++;
    } else {
      switch (type) {
        case HepChunk.IP_FAMILY:
          family = bytes[v]!;
          if (family !== AF_INET && family !== AF_INET6) return failure(v, `IP family ${family} is neither 2 (IPv4) nor 10 (IPv6)`);
          break;
        case HepChunk.IP_PROTOCOL:
          packet.ipProtocol = bytes[v]!;
          break;
        case HepChunk.IPV4_SRC:
          ipv4Src = formatIpv4(readUint32(bytes, v));
          break;
        case HepChunk.IPV4_DST:
          ipv4Dst = formatIpv4(readUint32(bytes, v));
          break;
        case HepChunk.IPV6_SRC:
          ipv6Src = formatIpv6(bytes, v);
          break;
        case HepChunk.IPV6_DST:
          ipv6Dst = formatIpv6(bytes, v);
          break;
        case HepChunk.SRC_PORT:
          packet.sport = readUint16(bytes, v);
          break;
        case HepChunk.DST_PORT:
          packet.dport = readUint16(bytes, v);
          break;
        case HepChunk.TS_SECONDS:
          packet.tsSeconds = readUint32(bytes, v);
          timed = true;
          break;
        case HepChunk.TS_MICROSECONDS:
          packet.tsMicroseconds = readUint32(bytes, v);
          break;
        case HepChunk.PROTOCOL_TYPE:
          packet.protocolType = bytes[v]!;
          break;
        case HepChunk.CAPTURE_AGENT_ID:
          packet.captureAgentId = readUint32(bytes, v);
          break;
        case HepChunk.KEEP_ALIVE_TIMER:
          packet.keepAliveTimer = readUint16(bytes, v);
          break;
        case HepChunk.AUTH_KEY:
          packet.authKey = textDecoder.decode(bytes.subarray(v, v + valueLength));
          // compared as sent: text decoding drops a leading BOM and makes bad bytes U+FFFD
          packet.authKeyBytes = bytes.slice(v, v + valueLength);
          break;
        case HepChunk.PAYLOAD:
          packet.payload = bytes.subarray(v, v + valueLength);
          break;
        case HepChunk.COMPRESSED_PAYLOAD:
          packet.payload = bytes.subarray(v, v + valueLength);
          packet.compressed = true;
          break;
        case HepChunk.CORRELATION_ID:
          packet.correlationId = textDecoder.decode(bytes.subarray(v, v + valueLength));
          break;
        case HepChunk.VLAN_ID:
          packet.vlanId = readUint16(bytes, v);
          break;
        case HepChunk.GROUP_ID:
          packet.groupId = textDecoder.decode(bytes.subarray(v, v + valueLength));
          break;
        default:
          packet.unknownChunks++;
      }
    }
    at += chunkLength;
  }
  // A capture time is what every decision is dated by (SPEC §8): without one the frame would be
  // taken as captured in 1970 and its exports as long expired. Kamailio's sipcapture refuses it too.
  if (!timed) return failure(length, 'no timestamp seconds chunk (type 9)');
  // Seconds 0 is an agent that has no time to give: the same frame as one without the chunk.
  // Microseconds are the fraction of that second (HEPv3, as agents fill it from a timeval): one
  // past 999999 would move the capture time by up to 71 minutes.
  if (packet.tsSeconds === 0) return failure(length, 'timestamp seconds chunk (type 9) is 0: no capture time');
  if (packet.tsMicroseconds > 999_999) return failure(length, `timestamp microseconds chunk (type 10) is ${packet.tsMicroseconds}, past 999999`);
  // Agents that leave the family chunk out still send addresses of one family; one that names a
  // family whose addresses it does not carry while it carries the other's contradicts itself
  const onlyV4 = ipv4Src !== '' && ipv6Src === '';
  const onlyV6 = ipv6Src !== '' && ipv4Src === '';
  if ((family === AF_INET && onlyV6) || (family === AF_INET6 && onlyV4)) return failure(length, `IP family chunk says IPv${family === AF_INET ? 4 : 6} but only IPv${family === AF_INET ? 6 : 4} address chunks are given`);
  const v6 = family === AF_INET6 || (family === 0 && ipv4Src === '' && ipv6Src !== '');
  packet.ipVersion = v6 ? 6 : 4;
  packet.src = v6 ? ipv6Src : ipv4Src;
  packet.dst = v6 ? ipv6Dst : ipv4Dst;
  return { ok: true, packet };
}

/** A chunk to send as is (another vendor's, or a generic type this encoder does not name). */
export interface RawHepChunk {
  vendor: number;
  type: number;
  value: Uint8Array;
}

export interface HepEncodeInput extends HepPacket {
  extraChunks?: readonly RawHepChunk[];
}

/** A packet that cannot be put in a HEP frame (an address of the wrong family, a frame over 64 KiB). */
export class HepEncodeError extends Error {
  constructor(reason: string) {
    super(`HEPv3 encode: ${reason}`);
    this.name = 'HepEncodeError';
  }
}

const textEncoder = new TextEncoder();

function uint(bytes: number, value: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1, n = value; i >= 0; i--, n = Math.floor(n / 256)) out[i] = n & 0xff;
  return out;
}

function address(text: string, ipVersion: 4 | 6): Uint8Array {
  try {
    return ipVersion === 4 ? parseIpv4(text) : parseIpv6(text);
  } catch {
    throw new HepEncodeError(`"${text}" is not an IPv${ipVersion} address`);
  }
}

/** Builds one HEPv3 frame; chunks in the order heplify sends them. */
export function encodeHep(p: HepEncodeInput): Uint8Array {
  const chunks: RawHepChunk[] = [];
  const generic = (type: number, value: Uint8Array): void => {
    chunks.push({ vendor: 0, type, value });
  };
  generic(HepChunk.IP_FAMILY, uint(1, p.ipVersion === 6 ? AF_INET6 : AF_INET));
  generic(HepChunk.IP_PROTOCOL, uint(1, p.ipProtocol));
  if (p.src !== '') generic(p.ipVersion === 6 ? HepChunk.IPV6_SRC : HepChunk.IPV4_SRC, address(p.src, p.ipVersion));
  if (p.dst !== '') generic(p.ipVersion === 6 ? HepChunk.IPV6_DST : HepChunk.IPV4_DST, address(p.dst, p.ipVersion));
  generic(HepChunk.SRC_PORT, uint(2, p.sport));
  generic(HepChunk.DST_PORT, uint(2, p.dport));
  generic(HepChunk.TS_SECONDS, uint(4, p.tsSeconds));
  generic(HepChunk.TS_MICROSECONDS, uint(4, p.tsMicroseconds));
  generic(HepChunk.PROTOCOL_TYPE, uint(1, p.protocolType));
  if (p.captureAgentId !== undefined) generic(HepChunk.CAPTURE_AGENT_ID, uint(4, p.captureAgentId));
  if (p.keepAliveTimer !== undefined) generic(HepChunk.KEEP_ALIVE_TIMER, uint(2, p.keepAliveTimer));
  if (p.authKey !== undefined) generic(HepChunk.AUTH_KEY, textEncoder.encode(p.authKey));
  if (p.correlationId !== undefined) generic(HepChunk.CORRELATION_ID, textEncoder.encode(p.correlationId));
  if (p.vlanId !== undefined) generic(HepChunk.VLAN_ID, uint(2, p.vlanId));
  if (p.groupId !== undefined) generic(HepChunk.GROUP_ID, textEncoder.encode(p.groupId));
  for (const extra of p.extraChunks ?? []) chunks.push(extra);
  generic(p.compressed ? HepChunk.COMPRESSED_PAYLOAD : HepChunk.PAYLOAD, p.payload);

  let length = HEP_HEADER_BYTES;
  for (const c of chunks) length += HEP_CHUNK_HEADER_BYTES + c.value.length;
  if (length > HEP_MAX_FRAME_BYTES) throw new HepEncodeError(`frame of ${length} bytes exceeds the 16-bit length field`);
  const out = new Uint8Array(length);
  out.set(HEP3_MAGIC, 0);
  out.set(uint(2, length), 4);
  let at = HEP_HEADER_BYTES;
  for (const c of chunks) {
    out.set(uint(2, c.vendor), at);
    out.set(uint(2, c.type), at + 2);
    out.set(uint(2, HEP_CHUNK_HEADER_BYTES + c.value.length), at + 4);
    out.set(c.value, at + HEP_CHUNK_HEADER_BYTES);
    at += HEP_CHUNK_HEADER_BYTES + c.value.length;
  }
  return out;
}

/** HEP fields for a UDP datagram seen at `ts` seconds (microsecond precision). */
export function hepTimestamp(ts: number): { tsSeconds: number; tsMicroseconds: number } {
  const micros = Math.round(ts * 1e6);
  return { tsSeconds: Math.floor(micros / 1e6), tsMicroseconds: micros % 1e6 };
}
