import { readU16, readU32 } from '../wire-read.js';
import { rtcpDecodeError } from './errors.js';
import type { ExtendedReport, RtcpDecodeError, XrBlock } from './types.js';

const XR_FIXED_LENGTH = 8;

/** The smallest block length (bytes, header included) each known block type can have. */
const XR_MIN_BLOCK_LENGTH: readonly number[] = [0, 12, 12, 12, 12, 4, 40, 36];

/**
 * Extended report (RFC 3611 §2). Report blocks 1–7 are decoded; other block types are kept as
 * {bt, typeSpecific, length (bytes), unknown: true}. A block whose length runs past the packet
 * (`xr-block-overrun`) or is too short for its type (`bad-field`) rejects the packet; the
 * packet's own length was sane, so the compound goes on after it. Arguments as for
 * decodeSenderReport.
 *
 *      0                   1                   2                   3
 *      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |V=2|P|reserved |   PT=XR=207   |             length            |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |                              SSRC                             |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     :                         report blocks                         :
 *
 * each block:
 *     |      BT       | type-specific |         block length          |
 *     :             type-specific block contents                      :
 * (block length: 32-bit words minus one, header included)
 */
export function decodeExtendedReport(
  b: Uint8Array,
  off: number,
  len: number,
  errors: RtcpDecodeError[],
  base = 0,
  contentLen = len,
): ExtendedReport | null {
  if (contentLen < XR_FIXED_LENGTH) {
    errors.push(rtcpDecodeError('packet-too-short', off - base, `XR of ${contentLen} bytes, needs ${XR_FIXED_LENGTH}`));
    return null;
  }
  const end = off + contentLen;
  const blocks: XrBlock[] = [];
  let pos = off + XR_FIXED_LENGTH;
  while (pos < end) {
    if (pos + 4 > end) {
      errors.push(rtcpDecodeError('xr-block-overrun', pos - base, `XR block header cut after ${end - pos} bytes`));
      return null;
    }
    const bt = b[pos];
    const blockLen = (readU16(b, pos + 2) + 1) * 4;
    if (pos + blockLen > end) {
      errors.push(rtcpDecodeError('xr-block-overrun', pos - base, `XR block type ${bt} of ${blockLen} bytes runs past the packet (${end - pos} left)`));
      return null;
    }
    if (bt < XR_MIN_BLOCK_LENGTH.length && blockLen < XR_MIN_BLOCK_LENGTH[bt]) {
      errors.push(rtcpDecodeError('bad-field', pos - base, `XR block type ${bt} of ${blockLen} bytes, needs ${XR_MIN_BLOCK_LENGTH[bt]}`));
      return null;
    }
    if (bt === 5 && (blockLen - 4) % 12 !== 0) {
      errors.push(rtcpDecodeError('bad-field', pos - base, `XR DLRR block of ${blockLen} bytes is not a whole number of 12-byte sub-blocks`));
      return null;
    }
    blocks.push(decodeXrBlock(b, pos, blockLen));
    pos += blockLen;
  }
  return {
    pt: 207,
    ssrc: readU32(b, off + 4),
    offset: off - base,
    length: len,
    blocks,
  };
}

/** One report block whose length has been checked against the packet and its type. */
/** XR block types read only for the source they name (decodeXrBlock's default). */
const XR_XNQ = 8;
const XR_IDMS = 12;

/**
 * Where a block type decodeXrBlock does not read names the source it reports on: at bytes 4–7
 * for most later types (RFC 6776, 6958, 7003, 7004, …), at 12–15 for IDMS (RFC 7272 §7.1, after
 * its payload type and stream correlation id); −1 for XNQ (RFC 5093: bytes 4–7 are sequence
 * numbers, it names none).
 */
export function xrSourceOffset(bt: number): number {
  return bt === XR_IDMS ? 12 : bt === XR_XNQ ? -1 : 4;
}

function decodeXrBlock(b: Uint8Array, at: number, blockLen: number): XrBlock {
  const bt = b[at];
  const end = at + blockLen;
  switch (bt) {
    case 1:
    case 2: {
      // Loss / Duplicate RLE (§4.1, §4.2): 16-bit chunks; trailing null chunks only pad to a word
      let last = end;
      while (last > at + 12 && b[last - 2] === 0 && b[last - 1] === 0) last -= 2;
      const chunks: number[] = new Array((last - at - 12) >> 1);
      for (let i = 0, p = at + 12; p < last; i++, p += 2) chunks[i] = readU16(b, p);
      return { bt, ssrc: readU32(b, at + 4), thinning: b[at + 1] & 0x0f, beginSeq: readU16(b, at + 8), endSeq: readU16(b, at + 10), chunks };
    }
    case 3: {
      // Packet Receipt Times (§4.3)
      const receiptTimes: number[] = new Array((blockLen - 12) >> 2);
      for (let i = 0, p = at + 12; p + 4 <= end; i++, p += 4) receiptTimes[i] = readU32(b, p);
      return { bt, ssrc: readU32(b, at + 4), thinning: b[at + 1] & 0x0f, beginSeq: readU16(b, at + 8), endSeq: readU16(b, at + 10), receiptTimes };
    }
    case 4:
      // Receiver Reference Time (§4.4)
      return { bt, ntpSec: readU32(b, at + 4), ntpFrac: readU32(b, at + 8) };
    case 5: {
      // DLRR (§4.5)
      const subBlocks: { ssrc: number; lrr: number; dlrr: number }[] = new Array((blockLen - 4) / 12);
      for (let i = 0, p = at + 4; p < end; i++, p += 12) {
        subBlocks[i] = { ssrc: readU32(b, p), lrr: readU32(b, p + 4), dlrr: readU32(b, p + 8) };
      }
      return { bt, subBlocks };
    }
    case 6:
      // Statistics Summary (§4.6)
      return {
        bt,
        ssrc: readU32(b, at + 4),
        flags: b[at + 1],
        beginSeq: readU16(b, at + 8),
        endSeq: readU16(b, at + 10),
        lostPackets: readU32(b, at + 12),
        dupPackets: readU32(b, at + 16),
        minJitter: readU32(b, at + 20),
        maxJitter: readU32(b, at + 24),
        meanJitter: readU32(b, at + 28),
        devJitter: readU32(b, at + 32),
        minTtlOrHl: b[at + 36],
        maxTtlOrHl: b[at + 37],
        meanTtlOrHl: b[at + 38],
        devTtlOrHl: b[at + 39],
      };
    case 7:
      // VoIP Metrics (§4.7)
      return {
        bt,
        ssrc: readU32(b, at + 4),
        lossRate: b[at + 8],
        discardRate: b[at + 9],
        burstDensity: b[at + 10],
        gapDensity: b[at + 11],
        burstDuration: readU16(b, at + 12),
        gapDuration: readU16(b, at + 14),
        roundTripDelay: readU16(b, at + 16),
        endSystemDelay: readU16(b, at + 18),
        // signal and noise levels are signed dBm (§4.7.4); 127 still means unavailable
        signalLevel: (b[at + 20] << 24) >> 24,
        noiseLevel: (b[at + 21] << 24) >> 24,
        rerl: b[at + 22],
        gmin: b[at + 23],
        rFactor: b[at + 24],
        extRFactor: b[at + 25],
        mosLq: b[at + 26],
        mosCq: b[at + 27],
        rxConfig: b[at + 28],
        jbNominal: readU16(b, at + 30),
        jbMaximum: readU16(b, at + 32),
        jbAbsMax: readU16(b, at + 34),
      };
    default: {
      const ssrcAt = xrSourceOffset(bt);
      return ssrcAt >= 0 && blockLen >= ssrcAt + 4
        ? { bt, typeSpecific: b[at + 1], length: blockLen, unknown: true, ssrc: readU32(b, at + ssrcAt) }
        : { bt, typeSpecific: b[at + 1], length: blockLen, unknown: true };
    }
  }
}
