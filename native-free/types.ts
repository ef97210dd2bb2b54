/**
 * Contracts of the native-free capture layer: what a capture file and its packet layers give
 * to the rest of the enforcer. Everything here is plain data so that batches can be moved to
 * worker threads by transferring their buffers.
 */

/** Link-layer header types (LINKTYPE_* values of the pcap/pcapng link-type registry). */
export const LinkType = {
  NULL: 0, // BSD loopback, host byte order family
  ETHERNET: 1,
  RAW: 101, // raw IPv4 or IPv6
  /** DLT_RAW's platform values, which older pcap writers put in the file for raw IP (Wireshark reads them so too) */
  RAW_DLT12: 12,
  RAW_DLT14: 14, // OpenBSD's
  LOOP: 108, // OpenBSD loopback, network byte order family
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/**
 * A run of consecutive capture records read from one chunk of the file. Record i's captured
 * bytes are `bytes.subarray(dataOffset[i], dataOffset[i] + capLen[i])`. The typed arrays may be
 * longer than `count`; only the first `count` entries are meaningful.
 */
export interface RecordBatch {
  bytes: Uint8Array;
  count: number;
  /** 1-based frame number of record 0 of this batch. */
  firstFrame: number;
  dataOffset: Uint32Array;
  capLen: Uint32Array;
  origLen: Uint32Array;
  linkType: Uint16Array;
  /** capture time, seconds since the epoch (microsecond precision). */
  ts: Float64Array;
  /** byte offset of the record's header in the capture file. */
  fileOffset: Float64Array;
  /**
   * Each record's source, where a live service's records come from several capture agents, each
   * with a clock of its own (src/sources/source-batch.ts); absent: one source, 0.
   */
  source?: Uint32Array;
}

/** Something that went wrong in a readable capture without stopping the read. */
export interface CaptureWarning {
  file: string;
  offset: number;
  frame?: number;
  message: string;
}

/** Bad input that stops a read: the file is not a capture, a header is cut, a length is absurd. */
export class CaptureError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file}: at byte ${offset}: ${reason}`);
    this.name = 'CaptureError';
  }
}

/** What the packet layers made of one capture record. */
export type PacketKind =
  /** a UDP datagram; payload is in view.bytes[payloadOffset, payloadOffset + payloadLength) */
  | 'udp'
  /** new in-order bytes of a TCP byte stream (flowKey names the direction of the connection) */
  | 'tcp'
  /** a fragment held for reassembly, or a TCP segment that delivered no new in-order bytes */
  | 'pending'
  /** well-formed but nothing the enforcer reads (ARP, ICMP, unknown link type, ...) */
  | 'other'
  /** broken headers: view.error says what and where */
  | 'malformed';

/**
 * A reusable, mutable view over one decoded packet, overwritten by every decode call so the
 * hot path allocates nothing per packet. Copy out what must outlive the next call.
 */
export interface PacketView {
  frame: number;
  ts: number;
  ipVersion: 4 | 6;
  /** IPv4 addresses as unsigned 32-bit numbers (0 for IPv6), for allocation-free keys. */
  src4: number;
  dst4: number;
  /** textual addresses ("192.0.2.1", "2001:db8::1"); computed on first access per packet. */
  readonly src: string;
  readonly dst: string;
  sport: number;
  dport: number;
  /** the bytes holding the payload (the record's bytes, or a reassembly buffer). */
  bytes: Uint8Array;
  payloadOffset: number;
  /** the captured bytes of the payload (all of it unless `payloadCut` > 0) */
  payloadLength: number;
  /**
   * for 'udp': bytes of the payload the capture's snap length cut off (the record's captured
   * length was below its original length), so the datagram on the wire carried
   * payloadLength + payloadCut bytes; 0 when the whole payload was captured.
   */
  payloadCut: number;
  /** for 'tcp': a stable key of the connection direction, e.g. "10.0.0.1:5060>10.0.0.2:5060". */
  flowKey: string;
  /** for 'malformed': what was wrong and the byte offset within the record. */
  error: string;
  errorOffset: number;
}

/** Counters of what the packet layers did, for summaries and bounded-state reporting. */
export interface PacketLayerStats {
  records: number;
  udp: number;
  tcpSegments: number;
  other: number;
  malformed: number;
  fragmentsHeld: number;
  fragmentsReassembled: number;
  /** fragment sets given up on (timeout, limit, overlap) */
  fragmentsDropped: number;
  /** fragment sets dropped because two fragments overlapped with different bytes */
  fragmentOverlaps: number;
  /** fragment sets dropped because their missing fragments never came in time */
  fragmentTimeouts: number;
  /** bytes of TCP streams given up on (gaps never filled, limits) */
  tcpBytesDropped: number;
  tcpGaps: number;
  tcpRetransmissions: number;
  /** TCP connection directions evicted to stay within the stream limits */
  tcpStreamsEvicted: number;
  /** records of a link type the decoder does not read (counted in `other` too), by link type */
  unsupportedLinkTypes: Map<number, number>;
}
