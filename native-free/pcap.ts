/**
 * Classic libpcap files.
 *
 *  File header (24 bytes, in the writer's byte order):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          magic: a1b2c3d4 (µs) or a1b23c4d (ns)                |
 *  +-------------------------------+-------------------------------+
 *  |        major version (2)      |       minor version (4)       |
 *  +-------------------------------+-------------------------------+
 *  |                thiszone (ignored)                             |
 *  |                sigfigs (ignored)                              |
 *  |                snaplen                                        |
 *  |  FCS info (4 bits) ...       |          link type             |
 *  +---------------------------------------------------------------+
 *  Record header (16 bytes), then incl_len bytes of data:
 *  |  ts seconds  |  ts µs or ns  |  incl_len  |  orig_len  |
 */
import { CaptureError, type RecordBatch } from './types.js';
import { MAX_RECORD_BYTES, type CaptureRecordWalker } from './record-batch.js';

export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;

/** The four classic magics as read little-endian from the first four bytes of the file. */
export const PcapMagic = {
  MICROS_LE: 0xa1b2c3d4,
  MICROS_BE: 0xd4c3b2a1,
  NANOS_LE: 0xa1b23c4d,
  NANOS_BE: 0x4d3cb2a1,
  /** Alexey Kuznetzov's modified format (libpcap, Wireshark read it): µs, 24-byte record headers */
  MODIFIED_LE: 0xa1b2cd34,
  MODIFIED_BE: 0x34cdb2a1,
} as const;

/** The modified format's record header: the classic 16 bytes, then ifindex (4), protocol (2), pkt_type and padding (1 each). */
const MODIFIED_RECORD_HEADER_BYTES = 24;

export function isPcapMagic(firstWordLe: number): boolean {
  return (
    firstWordLe === PcapMagic.MICROS_LE ||
    firstWordLe === PcapMagic.MICROS_BE ||
    firstWordLe === PcapMagic.NANOS_LE ||
    firstWordLe === PcapMagic.NANOS_BE ||
    firstWordLe === PcapMagic.MODIFIED_LE ||
    firstWordLe === PcapMagic.MODIFIED_BE
  );
}

export class PcapWalker implements CaptureRecordWalker {
  readonly minRecordBytes = PCAP_RECORD_HEADER_BYTES;
  private headerRead = false;
  private littleEndian = true;
  /** what the record's fraction is divided by to give microseconds: 1 (µs files), 1000 (ns) */
  private fractionScale = 1;
  private linkType = 0;
  /** bytes of a record header: 16, or 24 in the modified format */
  private recordHeaderBytes = PCAP_RECORD_HEADER_BYTES;
  /** the file header's snap length, kept for callers that show it */
  snapLen = 0;

  constructor(private readonly file: string) {}

  private readFileHeader(view: DataView, at: number, fileBase: number): void {
    const magic = view.getUint32(at, true);
    this.littleEndian = magic === PcapMagic.MICROS_LE || magic === PcapMagic.NANOS_LE || magic === PcapMagic.MODIFIED_LE;
    if (magic === PcapMagic.MODIFIED_LE || magic === PcapMagic.MODIFIED_BE) this.recordHeaderBytes = MODIFIED_RECORD_HEADER_BYTES;
    this.fractionScale = magic === PcapMagic.NANOS_LE || magic === PcapMagic.NANOS_BE ? 1000 : 1;
    const major = view.getUint16(at + 4, this.littleEndian);
    if (major !== 2) throw new CaptureError(this.file, fileBase + at + 4, `unsupported pcap version ${major}`);
    this.snapLen = view.getUint32(at + 16, this.littleEndian);
    // The top bits of the link-type word carry FCS information, not the link type.
    this.linkType = view.getUint32(at + 20, this.littleEndian) & 0xffff;
    this.headerRead = true;
  }

  walk(bytes: Uint8Array, view: DataView, start: number, end: number, fileBase: number, batch: RecordBatch): number {
    let pos = start;
    if (!this.headerRead) {
      if (end - pos < PCAP_FILE_HEADER_BYTES) return pos;
      this.readFileHeader(view, pos, fileBase);
      pos += PCAP_FILE_HEADER_BYTES;
    }
    const le = this.littleEndian;
    const scale = this.fractionScale;
    const linkType = this.linkType;
    const header = this.recordHeaderBytes;
    const capacity = batch.dataOffset.length;
    const { dataOffset, capLen: capLens, origLen, linkType: linkTypes, ts, fileOffset } = batch;
    let n = batch.count;
    while (n < capacity && end - pos >= header) {
      const capLen = view.getUint32(pos + 8, le);
      if (capLen > MAX_RECORD_BYTES) {
        batch.count = n;
        throw new CaptureError(this.file, fileBase + pos, `absurd record length ${capLen} (limit ${MAX_RECORD_BYTES})`);
      }
      if (end - pos - header < capLen) break;
      // whole microseconds, rounded from the fraction as a whole number: seconds + ns / 1e9 as
      // one float (its resolution near 1.7e9 s is 0.24 µs) rounded later could land one off
      ts[n] = view.getUint32(pos, le) + Math.round(view.getUint32(pos + 4, le) / scale) / 1e6;
      origLen[n] = view.getUint32(pos + 12, le);
      capLens[n] = capLen;
      dataOffset[n] = pos + header;
      linkTypes[n] = linkType;
      fileOffset[n] = fileBase + pos;
      n++;
      pos += header + capLen;
    }
    batch.count = n;
    return pos;
  }

  describeLeftover(_bytes: Uint8Array, view: DataView, start: number, end: number, fileBase: number): string {
    const have = end - start;
    if (!this.headerRead) {
      throw new CaptureError(this.file, fileBase + start, `truncated file header: ${have} of ${PCAP_FILE_HEADER_BYTES} bytes`);
    }
    const header = this.recordHeaderBytes;
    if (have < header) return `record cut short: ${have} of ${header} header bytes`;
    const capLen = view.getUint32(start + 8, this.littleEndian);
    return `record cut short: ${have - header} of ${capLen} data bytes`;
  }
}
