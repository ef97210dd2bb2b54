/**
 * pcapng files (draft-ietf-opsawg-pcapng): a sequence of sections, each a Section Header Block
 * followed by Interface Description Blocks and packet blocks, in the section's byte order.
 *
 *  Every block:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          Block Type                           |
 *  +---------------------------------------------------------------+
 *  |                      Block Total Length                       |
 *  +---------------------------------------------------------------+
 *  /                          Block Body                           /
 *  +---------------------------------------------------------------+
 *  |                      Block Total Length                       |
 *  +---------------------------------------------------------------+
 *
 *  SHB body: byte-order magic 1a2b3c4d | major 1 | minor | section length (64) | options
 *  IDB body: link type (16) | reserved (16) | snaplen | options (if_tsresol 9, if_tsoffset 14)
 *  EPB body: interface id | ts high | ts low | captured len | original len | data (pad 4) | options
 *  SPB body: original len | data (pad 4)            — interface 0, no timestamp
 *  OPB body: interface id (16) | drops (16) | ts high | ts low | captured len | original len | data
 */
import { CaptureError, type RecordBatch } from './types.js';
import { MAX_RECORD_BYTES, type CaptureRecordWalker } from './record-batch.js';

export const PcapngBlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  OBSOLETE_PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;

export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPTION_END = 0;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;
/** Blocks larger than this are not buffered: skipped unread when they carry no packet, else taken as a corrupt length. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

/** Blocks the reader needs whole: packets, section headers, interface descriptions. */
function readsWhole(type: number): boolean {
  return (
    type === PcapngBlockType.ENHANCED_PACKET ||
    type === PcapngBlockType.OBSOLETE_PACKET ||
    type === PcapngBlockType.SIMPLE_PACKET ||
    type === PcapngBlockType.SECTION_HEADER ||
    type === PcapngBlockType.INTERFACE_DESCRIPTION
  );
}
const BLOCK_OVERHEAD = 12;
const EPB_FIXED = 32;
const OPB_FIXED = 32;
const SPB_FIXED = 16;
const IDB_FIXED = 20;
const SHB_FIXED = 28;
const TWO_TO_32 = 4294967296;

/**
 * A packet's time in seconds from its 64-bit count of `unitsPerSecond` units, to the microsecond:
 * whole seconds and the remainder split exactly, the remainder rounded to whole microseconds, so
 * a time is the same float whatever the file's resolution (a pcap's seconds + µs as well). Below
 * 2^53 units the count is exact as a float; past it (ns: ~1.7e18 units) the float estimate of the
 * seconds is corrected by the remainder's low 32 bits, exact for units up to 2^31 a second.
 */
export function timestampSeconds(hi: number, lo: number, unitsPerSecond: number): number {
  const units = hi * TWO_TO_32 + lo;
  if (units <= Number.MAX_SAFE_INTEGER) {
    let sec = Math.floor(units / unitsPerSecond);
    let rem = units - sec * unitsPerSecond;
    // the division's float may round across a whole second: the exact remainder says so
    if (rem < 0) {
      sec--;
      rem += unitsPerSecond;
    } else if (rem >= unitsPerSecond) {
      sec++;
      rem -= unitsPerSecond;
    }
    return sec + Math.round((rem * 1e6) / unitsPerSecond) / 1e6;
  }
  if (unitsPerSecond > 2 ** 31) return exactSeconds(hi, lo, unitsPerSecond);
  const estimate = Math.floor(units / unitsPerSecond);
  for (let sec = estimate - 1; sec <= estimate + 1; sec++) {
    // units − sec × unitsPerSecond, modulo 2^32: below unitsPerSecond for the right sec only
    const rem = (lo - Math.imul(sec, unitsPerSecond)) >>> 0;
    if (rem < unitsPerSecond) return sec + Math.round((rem * 1e6) / unitsPerSecond) / 1e6;
  }
  return exactSeconds(hi, lo, unitsPerSecond);
}

/**
 * timestampSeconds in integers, for units finer than 2^31 a second (2^-32, the ERF/DAG fixed
 * point; 10^-10 …), where one float division was up to a microsecond off: the whole seconds
 * and the remainder's microseconds (rounded half up) divided exactly.
 */
function exactSeconds(hi: number, lo: number, unitsPerSecond: number): number {
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  const per = BigInt(unitsPerSecond);
  const micros = ((units % per) * 2_000_000n + per) / (2n * per);
  return Number(units / per) + Number(micros) / 1e6;
}

export class PcapngWalker implements CaptureRecordWalker {
  readonly minRecordBytes = SPB_FIXED;
  private littleEndian = true;
  private sectionSeen = false;
  // Per interface of the current section; plain arrays since sections hold a handful.
  private ifLinkType: number[] = [];
  private ifSnapLen: number[] = [];
  private ifUnitsPerSecond: number[] = [];
  private ifOffsetSeconds: number[] = [];
  /** SPBs carry no time; they take the time of the record before them. */
  private lastTs = 0;

  constructor(private readonly file: string) {}

  /** Link types of the interfaces of the current section, in interface-id order. */
  get interfaceLinkTypes(): readonly number[] {
    return this.ifLinkType;
  }

  /** Bytes of a large block without packets still to pass over (walk), unread, up to its trailing length. */
  private skipping = 0;
  /** The length that block's header gave, which its trailing length must repeat (0: no block being skipped). */
  private skippedLen = 0;

  get pendingSkip(): number {
    return this.skipping + (this.skippedLen !== 0 ? 4 : 0);
  }

  private fail(at: number, reason: string): never {
    throw new CaptureError(this.file, at, reason);
  }

  private readSectionHeader(view: DataView, pos: number, len: number, at: number): void {
    if (len < SHB_FIXED) this.fail(at + 4, `bad block length ${len}: a section header takes at least ${SHB_FIXED}`);
    const major = view.getUint16(pos + 12, this.littleEndian);
    if (major !== 1) this.fail(at + 12, `unsupported pcapng version ${major}`);
    this.sectionSeen = true;
    this.ifLinkType = [];
    this.ifSnapLen = [];
    this.ifUnitsPerSecond = [];
    this.ifOffsetSeconds = [];
  }

  private readInterfaceDescription(view: DataView, pos: number, len: number, at: number): void {
    const le = this.littleEndian;
    if (len < IDB_FIXED) this.fail(at + 4, `bad block length ${len}: an interface description takes at least ${IDB_FIXED}`);
    let unitsPerSecond = 1e6;
    let offsetSeconds = 0;
    let o = pos + 16;
    const optionsEnd = pos + len - 4;
    while (o + 4 <= optionsEnd) {
      const code = view.getUint16(o, le);
      const optLen = view.getUint16(o + 2, le);
      if (code === OPTION_END) break;
      if (o + 4 + optLen > optionsEnd) this.fail(at + (o - pos), `option ${code} of length ${optLen} overruns its block`);
      if (code === OPTION_IF_TSRESOL && optLen >= 1) {
        const r = view.getUint8(o + 4);
        // Most significant bit set: a negative power of 2; clear: a negative power of 10.
        unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      } else if (code === OPTION_IF_TSOFFSET && optLen >= 8) {
        offsetSeconds = Number(view.getBigInt64(o + 4, le));
      }
      o += 4 + ((optLen + 3) & ~3);
    }
    this.ifLinkType.push(view.getUint16(pos + 8, le));
    this.ifSnapLen.push(view.getUint32(pos + 12, le));
    this.ifUnitsPerSecond.push(unitsPerSecond);
    this.ifOffsetSeconds.push(offsetSeconds);
  }

  walk(bytes: Uint8Array, view: DataView, start: number, end: number, fileBase: number, batch: RecordBatch): number {
    let pos = start;
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, end - pos);
      this.skipping -= n;
      pos += n;
      if (this.skipping > 0) return pos;
    }
    if (this.skippedLen !== 0) {
      // the skipped block's trailing length, checked as a buffered block's is: a header length
      // corrupted to cover packets after it would otherwise drop them unsaid
      if (end - pos < 4) return pos;
      const trailer = view.getUint32(pos, this.littleEndian);
      if (trailer !== this.skippedLen) this.fail(fileBase + pos, `block length mismatch: header says ${this.skippedLen}, trailer says ${trailer}`);
      this.skippedLen = 0;
      pos += 4;
    }
    const capacity = batch.dataOffset.length;
    let n = batch.count;
    try {
      while (n < capacity && end - pos >= 8) {
        let type = view.getUint32(pos, this.littleEndian);
        const at = fileBase + pos;
        if (type === PcapngBlockType.SECTION_HEADER) {
          // The block type reads the same in both orders; the byte-order magic decides.
          if (end - pos < 12) break;
          const bom = view.getUint32(pos + 8, true);
          if (bom === PCAPNG_BYTE_ORDER_MAGIC) this.littleEndian = true;
          else if (bom === 0x4d3c2b1a) this.littleEndian = false;
          else this.fail(at + 8, `bad byte-order magic 0x${bom.toString(16).padStart(8, '0')}`);
        } else if (!this.sectionSeen) {
          this.fail(at, 'first block is not a section header');
        }
        const le = this.littleEndian;
        type = view.getUint32(pos, le);
        const len = view.getUint32(pos + 4, le);
        if (len < BLOCK_OVERHEAD || len % 4 !== 0) this.fail(at + 4, `bad block length ${len}`);
        if (end - pos < len) {
          if (len <= MAX_BLOCK_BYTES) break;
          // Larger than is buffered: a block that carries no packet (decryption secrets, a custom
          // or statistics block) streams past unread, as tshark skips it; one the reader needs
          // whole at that size is taken for a corrupt length
          if (readsWhole(type)) this.fail(at + 4, `bad block length ${len}`);
          // passed over up to its trailing length, which is checked once it is reached
          const body = Math.min(len - 4, end - pos);
          this.skipping = len - 4 - body;
          this.skippedLen = len;
          pos += body;
          break;
        }
        const trailer = view.getUint32(pos + len - 4, le);
        if (trailer !== len) this.fail(at + len - 4, `block length mismatch: header says ${len}, trailer says ${trailer}`);

        if (type === PcapngBlockType.ENHANCED_PACKET || type === PcapngBlockType.OBSOLETE_PACKET) {
          const enhanced = type === PcapngBlockType.ENHANCED_PACKET;
          if (len < EPB_FIXED) this.fail(at + 4, `bad block length ${len}: a packet block takes at least ${EPB_FIXED}`);
          const iface = enhanced ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
          if (iface >= this.ifLinkType.length) this.fail(at + 8, `packet on interface ${iface}, but the section describes ${this.ifLinkType.length}`);
          const capLen = view.getUint32(pos + 20, le);
          if (capLen > MAX_RECORD_BYTES) this.fail(at + 20, `absurd record length ${capLen} (limit ${MAX_RECORD_BYTES})`);
          const fixed = enhanced ? EPB_FIXED : OPB_FIXED;
          if (capLen > len - fixed) this.fail(at + 20, `captured length ${capLen} overruns its block of ${len} bytes`);
          const t = timestampSeconds(view.getUint32(pos + 12, le), view.getUint32(pos + 16, le), this.ifUnitsPerSecond[iface]!) + this.ifOffsetSeconds[iface]!;
          batch.ts[n] = t;
          this.lastTs = t;
          batch.capLen[n] = capLen;
          batch.origLen[n] = view.getUint32(pos + 24, le);
          batch.dataOffset[n] = pos + 28;
          batch.linkType[n] = this.ifLinkType[iface]!;
          batch.fileOffset[n] = at;
          n++;
        } else if (type === PcapngBlockType.SIMPLE_PACKET) {
          if (len < SPB_FIXED) this.fail(at + 4, `bad block length ${len}: a simple packet block takes at least ${SPB_FIXED}`);
          if (this.ifLinkType.length === 0) this.fail(at, 'simple packet block before any interface description');
          const orig = view.getUint32(pos + 8, le);
          const snap = this.ifSnapLen[0]!;
          let capLen = Math.min(orig, len - SPB_FIXED);
          if (snap > 0 && snap < capLen) capLen = snap;
          if (capLen > MAX_RECORD_BYTES) this.fail(at + 8, `absurd record length ${capLen} (limit ${MAX_RECORD_BYTES})`);
          batch.ts[n] = this.lastTs;
          batch.capLen[n] = capLen;
          batch.origLen[n] = orig;
          batch.dataOffset[n] = pos + 12;
          batch.linkType[n] = this.ifLinkType[0]!;
          batch.fileOffset[n] = at;
          n++;
        } else if (type === PcapngBlockType.SECTION_HEADER) {
          this.readSectionHeader(view, pos, len, at);
        } else if (type === PcapngBlockType.INTERFACE_DESCRIPTION) {
          this.readInterfaceDescription(view, pos, len, at);
        }
        // Every other block (statistics, name resolution, custom, ...) carries no packet.
        pos += len;
      }
    } finally {
      batch.count = n;
    }
    return pos;
  }

  describeLeftover(_bytes: Uint8Array, view: DataView, start: number, end: number, fileBase: number): string {
    const have = end - start;
    if (!this.sectionSeen) {
      throw new CaptureError(this.file, fileBase + start, `truncated section header block: ${have} bytes`);
    }
    if (this.skippedLen !== 0) return `record cut short: a block without packets ends ${4 - have} bytes past the end of the file`;
    if (have < 8) return `record cut short: ${have} of 8 block header bytes`;
    const len = view.getUint32(start + 4, this.littleEndian);
    return `record cut short: ${have} of ${len} block bytes`;
  }
}
