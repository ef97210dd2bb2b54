import { readU16, readU32 } from './wire-read.js';
import { decodeWireText } from './wire-text.js';

/** How a packet shorter than on the wire because of the capture's snap length is named. */
const SNAPLEN_CUT = "cut by the capture's snap length";

/**
 * The fixed RTP header, CSRCs, header extension and padding of one packet (RFC 3550 §5.1,
 * RFC 8285), as a reusable view: decodeRtpHeader overwrites it for every packet so the hot
 * path allocates nothing. Offsets are indices into the bytes that were decoded.
 */
export interface RtpHeaderView {
  version: number;
  padding: boolean;
  extension: boolean;
  marker: boolean;
  pt: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  csrcCount: number;
  /** where the first CSRC is; read them with readRtpCsrc */
  csrcOffset: number;
  /** 0xBEDE (one-byte form), 0x100X (two-byte form), another profile, or -1 with no extension */
  extProfile: number;
  /** where the extension elements start (after the 4-byte extension header), and their length */
  extOffset: number;
  extLength: number;
  payloadOffset: number;
  payloadLength: number;
  /** bytes of padding at the end, the count octet included (0 without the P bit, or when cut) */
  paddingLength: number;
  /**
   * bytes of the packet past the captured ones (the capture's snap length cut them; 0 for a whole
   * packet). The payload is then the captured part, padding is not known, and an extension cut
   * short keeps its captured part (elements cut short are not found).
   */
  cut: number;
}

export interface RtpError {
  code: 'packet-too-short' | 'bad-version' | 'csrc-overrun' | 'extension-overrun' | 'bad-padding';
  /** byte offset of the problem, relative to the start of the packet */
  offset: number;
  message: string;
}

export const RTP_FIXED_HEADER_LENGTH = 12;
export const ONE_BYTE_EXTENSION_PROFILE = 0xbede;
/** two-byte form: 0x100 followed by 4 application bits (RFC 8285 §4.3) */
const TWO_BYTE_EXTENSION_PROFILE_MASK = 0xfff0;
const TWO_BYTE_EXTENSION_PROFILE = 0x1000;

export function createRtpHeaderView(): RtpHeaderView {
  return {
    version: 0,
    padding: false,
    extension: false,
    marker: false,
    pt: 0,
    seq: 0,
    timestamp: 0,
    ssrc: 0,
    csrcCount: 0,
    csrcOffset: 0,
    extProfile: -1,
    extOffset: 0,
    extLength: 0,
    payloadOffset: 0,
    payloadLength: 0,
    paddingLength: 0,
    cut: 0,
  };
}

/**
 * Decodes the RTP header of bytes[off, off + len) into `out`. Returns null, or the named error
 * when a length does not fit (the view is then partly written and must not be used). `cut` is
 * how many bytes of the packet the capture's snap length cut off after those `len`: the fixed
 * header and CSRCs must have been captured, the rest is read as far as it was.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                           timestamp                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |           synchronization source (SSRC) identifier            |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |            contributing source (CSRC) identifiers             |
 *    |                             ....                              |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |      defined by profile       |           length              |  (X=1)
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                        header extension                       |
 *    |                             ....                              |
 */
export function decodeRtpHeader(bytes: Uint8Array, off: number, len: number, out: RtpHeaderView, cut = 0): RtpError | null {
  if (len > bytes.length - off) len = Math.max(0, bytes.length - off);
  if (len < RTP_FIXED_HEADER_LENGTH) {
    const what = cut > 0 ? `RTP packet ${SNAPLEN_CUT} after ${len} bytes` : `RTP packet of ${len} bytes`;
    return { code: 'packet-too-short', offset: 0, message: `${what}, needs ${RTP_FIXED_HEADER_LENGTH}` };
  }
  const first = bytes[off];
  const version = first >> 6;
  if (version !== 2) return { code: 'bad-version', offset: 0, message: `RTP version ${version}, expected 2` };
  const end = off + len;
  const second = bytes[off + 1];
  const csrcCount = first & 0x0f;
  let pos = off + RTP_FIXED_HEADER_LENGTH;
  if (pos + csrcCount * 4 > end) {
    const what = cut > 0 && pos + csrcCount * 4 <= end + cut ? `are ${SNAPLEN_CUT} after ${len} bytes` : `run past the ${len}-byte packet`;
    return { code: 'csrc-overrun', offset: RTP_FIXED_HEADER_LENGTH, message: `${csrcCount} CSRCs ${what}` };
  }
  out.version = version;
  out.padding = (first & 0x20) !== 0;
  out.extension = (first & 0x10) !== 0;
  out.marker = (second & 0x80) !== 0;
  out.pt = second & 0x7f;
  out.seq = readU16(bytes, off + 2);
  out.timestamp = readU32(bytes, off + 4);
  out.ssrc = readU32(bytes, off + 8);
  out.csrcCount = csrcCount;
  out.csrcOffset = pos;
  pos += csrcCount * 4;
  out.cut = cut;
  if (out.extension && pos + 4 > end && pos + 4 <= end + cut) {
    // the snap length cut the extension's own header: the packet is usable, its extension is not
    out.extProfile = -1;
    out.extOffset = end;
    out.extLength = 0;
    pos = end;
  } else if (out.extension) {
    if (pos + 4 > end) {
      return { code: 'extension-overrun', offset: pos - off, message: 'header extension header cut short' };
    }
    let extLength = readU16(bytes, pos + 2) * 4;
    if (pos + 4 + extLength > end) {
      if (pos + 4 + extLength > end + cut) {
        return { code: 'extension-overrun', offset: pos - off, message: `header extension of ${extLength} bytes runs past the packet` };
      }
      extLength = end - pos - 4; // cut by the snap length: the elements that were captured
    }
    out.extProfile = readU16(bytes, pos);
    out.extOffset = pos + 4;
    out.extLength = extLength;
    pos += 4 + extLength;
  } else {
    out.extProfile = -1;
    out.extOffset = pos;
    out.extLength = 0;
  }
  let paddingLength = 0;
  // a cut packet's last captured byte is not its padding count: the padding was not captured
  if (out.padding && cut === 0) {
    paddingLength = bytes[end - 1];
    if (paddingLength === 0 || pos + paddingLength > end) {
      return { code: 'bad-padding', offset: len - 1, message: `padding count ${paddingLength} with ${end - pos} bytes after the header` };
    }
  }
  out.paddingLength = paddingLength;
  out.payloadOffset = pos;
  out.payloadLength = end - pos - paddingLength;
  return null;
}

/** The i-th CSRC of a decoded header. */
export function readRtpCsrc(bytes: Uint8Array, view: RtpHeaderView, i: number): number {
  return readU32(bytes, view.csrcOffset + i * 4);
}

/**
 * Finds extension element `id` in a decoded header: returns its value's offset × 256 + its
 * length (a value is at most 255 bytes), or -1. Packing both into one number keeps the lookup
 * allocation-free.
 */
function locateRtpExtension(bytes: Uint8Array, view: RtpHeaderView, id: number): number {
  let pos = view.extOffset;
  const end = pos + view.extLength;
  if (view.extProfile === ONE_BYTE_EXTENSION_PROFILE) {
    while (pos < end) {
      const head = bytes[pos];
      if (head === 0) {
        pos++; // padding between elements
        continue;
      }
      const elementId = head >> 4;
      // id 15 is reserved: processing stops there (RFC 8285 §4.2)
      if (elementId === 15) return -1;
      const valueLen = (head & 0x0f) + 1;
      if (pos + 1 + valueLen > end) return -1;
      if (elementId === id) return (pos + 1) * 256 + valueLen;
      pos += 1 + valueLen;
    }
  } else if ((view.extProfile & TWO_BYTE_EXTENSION_PROFILE_MASK) === TWO_BYTE_EXTENSION_PROFILE) {
    while (pos < end) {
      const elementId = bytes[pos];
      if (elementId === 0) {
        pos++;
        continue;
      }
      if (pos + 2 > end) return -1;
      const valueLen = bytes[pos + 1];
      if (pos + 2 + valueLen > end) return -1;
      if (elementId === id) return (pos + 2) * 256 + valueLen;
      pos += 2 + valueLen;
    }
  }
  return -1;
}

/** The raw value of extension element `id` (a view into `bytes`, not a copy), if present. */
export function rtpExtensionValue(bytes: Uint8Array, view: RtpHeaderView, id: number): Uint8Array | undefined {
  const found = locateRtpExtension(bytes, view, id);
  if (found < 0) return undefined;
  const at = Math.floor(found / 256);
  return bytes.subarray(at, at + (found % 256));
}

/**
 * The value of extension element `id` as UTF-8 text — for the mid extension
 * (urn:ietf:params:rtp-hdrext:sdes:mid, RFC 8843 §15.1) at the id the SDP's a=extmap gave it.
 */
export function readRtpExtension(bytes: Uint8Array, view: RtpHeaderView, id: number): string | undefined {
  const found = locateRtpExtension(bytes, view, id);
  if (found < 0) return undefined;
  const at = Math.floor(found / 256);
  // trailing NULs are no part of the text (a C string's terminator counted in the length), as in
  // an SDES item (sdes.ts) and libwebrtc's string extensions: "v\0" names m-section v; nothing left is no value
  let end = at + (found % 256);
  while (end > at && bytes[end - 1] === 0) end--;
  return end === at ? undefined : decodeWireText(bytes, at, end);
}
