/**
 * Writing classic pcap files, for the sample generator and for tests. Records are packed into
 * one large buffer and written a chunk at a time, so writing millions of records costs a few
 * hundred system calls and constant memory.
 *
 * File header (24 bytes, written in little-endian):
 *   magic 0xa1b2c3d4 (µs) or 0xa1b23c4d (ns) | version 2.4 | thiszone 0 | sigfigs 0 | snaplen | linktype
 * Record header (16 bytes): ts_sec | ts_usec-or-nsec | incl_len | orig_len
 */
import { open, type FileHandle } from 'node:fs/promises';
import { writeSync } from 'node:fs';

export interface PcapWriterOptions {
  linkType: number;
  /** nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds */
  nanosecond?: boolean;
  snapLen?: number;
  /** bytes buffered before a write; default 1 MiB */
  chunkBytes?: number;
}

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/** The 24-byte classic pcap file header. */
export function encodePcapFileHeader(
  linkType: number,
  opts: { nanosecond?: boolean; snapLen?: number; bigEndian?: boolean } = {},
): Uint8Array {
  const out = new Uint8Array(FILE_HEADER_BYTES);
  const dv = new DataView(out.buffer);
  const le = !opts.bigEndian;
  dv.setUint32(0, opts.nanosecond ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, opts.snapLen ?? 262144, le);
  dv.setUint32(20, linkType, le);
  return out;
}

/** One 16-byte record header plus data, for building pcap files byte by byte in tests. */
export function encodePcapRecord(
  ts: number,
  data: Uint8Array,
  opts: { nanosecond?: boolean; bigEndian?: boolean; origLen?: number } = {},
): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + data.length);
  const dv = new DataView(out.buffer);
  const le = !opts.bigEndian;
  const [sec, frac] = splitTimestamp(ts, opts.nanosecond === true);
  dv.setUint32(0, sec, le);
  dv.setUint32(4, frac, le);
  dv.setUint32(8, data.length, le);
  dv.setUint32(12, opts.origLen ?? data.length, le);
  out.set(data, RECORD_HEADER_BYTES);
  return out;
}

function splitTimestamp(ts: number, nanosecond: boolean): [number, number] {
  const scale = nanosecond ? 1e9 : 1e6;
  let sec = Math.floor(ts);
  let frac = Math.round((ts - sec) * scale);
  // Rounding 0.9999999 up must carry into the seconds rather than write an out-of-range fraction.
  if (frac >= scale) {
    sec += 1;
    frac -= scale;
  }
  return [sec >>> 0, frac >>> 0];
}

export class PcapWriter {
  private readonly buffer: Uint8Array;
  private readonly view: DataView;
  private used = 0;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly nanosecond: boolean,
    readonly snapLen: number,
    chunkBytes: number,
  ) {
    this.buffer = new Uint8Array(chunkBytes);
    this.view = new DataView(this.buffer.buffer);
  }

  static async open(path: string, opts: PcapWriterOptions): Promise<PcapWriter> {
    const handle = await open(path, 'w');
    const snapLen = opts.snapLen ?? 262144;
    const writer = new PcapWriter(handle, opts.nanosecond === true, snapLen, Math.max(opts.chunkBytes ?? 1 << 20, 65536));
    const header = encodePcapFileHeader(opts.linkType, { nanosecond: opts.nanosecond === true, snapLen });
    writer.buffer.set(header, 0);
    writer.used = header.length;
    return writer;
  }

  /**
   * Appends one record; `ts` in seconds since the epoch. Data longer than the snap length is cut
   * to it, with `origLen` (default: the data's length) keeping the length on the wire.
   */
  write(ts: number, data: Uint8Array, origLen?: number): void {
    if (this.closed) throw new Error('PcapWriter: write after close');
    const capLen = Math.min(data.length, this.snapLen);
    const need = RECORD_HEADER_BYTES + capLen;
    if (this.used + need > this.buffer.length) this.flushBuffer();
    if (need > this.buffer.length) {
      // A record bigger than the whole buffer goes out on its own.
      writeSync(this.handle.fd, encodePcapRecord(ts, data.subarray(0, capLen), { nanosecond: this.nanosecond, origLen: origLen ?? data.length }));
      return;
    }
    const [sec, frac] = splitTimestamp(ts, this.nanosecond);
    const o = this.used;
    this.view.setUint32(o, sec, true);
    this.view.setUint32(o + 4, frac, true);
    this.view.setUint32(o + 8, capLen, true);
    this.view.setUint32(o + 12, origLen ?? data.length, true);
    this.buffer.set(capLen === data.length ? data : data.subarray(0, capLen), o + RECORD_HEADER_BYTES);
    this.used = o + need;
  }

  private flushBuffer(): void {
    let written = 0;
    while (written < this.used) written += writeSync(this.handle.fd, this.buffer, written, this.used - written);
    this.used = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flushBuffer();
    this.closed = true;
    await this.handle.close();
  }
}

/** pcapng block building, for tests and small generated files. All take the section's byte order. */
export interface PcapngByteOrder {
  bigEndian?: boolean;
}

/** Wraps a body into a block: type, total length, body padded to 4 bytes, total length. */
export function encodePcapngBlock(type: number, body: Uint8Array, opts: PcapngByteOrder = {}): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const out = new Uint8Array(12 + padded);
  const dv = new DataView(out.buffer);
  const le = !opts.bigEndian;
  dv.setUint32(0, type, le);
  dv.setUint32(4, out.length, le);
  out.set(body, 8);
  dv.setUint32(out.length - 4, out.length, le);
  return out;
}

export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

function encodePcapngOptions(options: readonly PcapngOption[], le: boolean): Uint8Array {
  if (options.length === 0) return new Uint8Array(0);
  let n = 4;
  for (const o of options) n += 4 + ((o.value.length + 3) & ~3);
  const out = new Uint8Array(n);
  const dv = new DataView(out.buffer);
  let at = 0;
  for (const o of options) {
    dv.setUint16(at, o.code, le);
    dv.setUint16(at + 2, o.value.length, le);
    out.set(o.value, at + 4);
    at += 4 + ((o.value.length + 3) & ~3);
  }
  return out; // ends with opt_endofopt (four zero bytes)
}

export function encodePcapngSectionHeader(opts: PcapngByteOrder = {}): Uint8Array {
  const body = new Uint8Array(16);
  const dv = new DataView(body.buffer);
  const le = !opts.bigEndian;
  dv.setUint32(0, 0x1a2b3c4d, le);
  dv.setUint16(4, 1, le);
  dv.setUint16(6, 0, le);
  dv.setBigInt64(8, -1n, le); // section length not given
  return encodePcapngBlock(0x0a0d0d0a, body, opts);
}

export interface PcapngInterfaceOptions extends PcapngByteOrder {
  snapLen?: number;
  /** the raw if_tsresol byte: 6 = µs, 9 = ns, 0x80|n = 2^-n */
  tsresol?: number;
  /** if_tsoffset, seconds */
  tsoffset?: number;
}

export function encodePcapngInterface(linkType: number, opts: PcapngInterfaceOptions = {}): Uint8Array {
  const le = !opts.bigEndian;
  const options: PcapngOption[] = [];
  if (opts.tsresol !== undefined) options.push({ code: 9, value: Uint8Array.of(opts.tsresol) });
  if (opts.tsoffset !== undefined) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, BigInt(opts.tsoffset), le);
    options.push({ code: 14, value: v });
  }
  const encodedOptions = encodePcapngOptions(options, le);
  const body = new Uint8Array(8 + encodedOptions.length);
  const dv = new DataView(body.buffer);
  dv.setUint16(0, linkType, le);
  dv.setUint32(4, opts.snapLen ?? 0, le);
  body.set(encodedOptions, 8);
  return encodePcapngBlock(1, body, opts);
}

/** An Enhanced Packet Block; `units` is the timestamp in the interface's resolution. */
export function encodePcapngEnhancedPacket(
  iface: number,
  units: bigint,
  data: Uint8Array,
  opts: PcapngByteOrder & { origLen?: number } = {},
): Uint8Array {
  const le = !opts.bigEndian;
  const body = new Uint8Array(20 + data.length);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, iface, le);
  dv.setUint32(4, Number(units >> 32n), le);
  dv.setUint32(8, Number(units & 0xffffffffn), le);
  dv.setUint32(12, data.length, le);
  dv.setUint32(16, opts.origLen ?? data.length, le);
  body.set(data, 20);
  return encodePcapngBlock(6, body, opts);
}

/** An obsolete Packet Block (type 2), as old writers produced. */
export function encodePcapngObsoletePacket(iface: number, units: bigint, data: Uint8Array, opts: PcapngByteOrder = {}): Uint8Array {
  const le = !opts.bigEndian;
  const body = new Uint8Array(20 + data.length);
  const dv = new DataView(body.buffer);
  dv.setUint16(0, iface, le);
  dv.setUint32(4, Number(units >> 32n), le);
  dv.setUint32(8, Number(units & 0xffffffffn), le);
  dv.setUint32(12, data.length, le);
  dv.setUint32(16, data.length, le);
  body.set(data, 20);
  return encodePcapngBlock(2, body, opts);
}

export function encodePcapngSimplePacket(data: Uint8Array, opts: PcapngByteOrder & { origLen?: number } = {}): Uint8Array {
  const body = new Uint8Array(4 + data.length);
  new DataView(body.buffer).setUint32(0, opts.origLen ?? data.length, !opts.bigEndian);
  body.set(data, 4);
  return encodePcapngBlock(3, body, opts);
}
