/**
 * RTP packet encoder (RFC 3550 §5.1, header extensions RFC 8285), used by the sample generator
 * and by round-trip tests of the RTP header decoder.
 */

export interface RtpExtensionInput {
  id: number;
  value: Uint8Array;
}

export interface RtpPacketInput {
  pt: number;
  seq: number;
  ts: number;
  ssrc: number;
  marker?: boolean;
  csrcs?: readonly number[];
  extensions?: readonly RtpExtensionInput[];
  payload: Uint8Array;
  /** bytes of padding to append, including the final count byte (1..255); sets the P bit */
  padding?: number;
}

/** Thrown for inputs that cannot be put on the wire (too many CSRCs, an extension id out of range). */
export class RtpEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtpEncodeError';
  }
}

/** RFC 8285 §4.2: the one-byte form holds ids 1..14 and values of 1..16 bytes. */
function fitsOneByteForm(extensions: readonly RtpExtensionInput[]): boolean {
  for (const e of extensions) {
    if (e.id < 1 || e.id > 14 || e.value.length < 1 || e.value.length > 16) return false;
  }
  return true;
}

function extensionBlockLength(extensions: readonly RtpExtensionInput[], oneByte: boolean): number {
  let n = 0;
  for (const e of extensions) n += (oneByte ? 1 : 2) + e.value.length;
  return (n + 3) & ~3;
}

/**
 * Encodes an RTP packet. Header extensions use the one-byte form (profile 0xBEDE) when every
 * element fits it, else the two-byte form (profile 0x1000).
 */
export function encodeRtpPacket(p: RtpPacketInput): Uint8Array {
  const csrcs = p.csrcs ?? [];
  if (csrcs.length > 15) throw new RtpEncodeError(`${csrcs.length} CSRCs do not fit the 4-bit count`);
  const extensions = p.extensions ?? [];
  const hasExtension = extensions.length > 0;
  const oneByte = hasExtension && fitsOneByteForm(extensions);
  if (hasExtension && !oneByte) {
    for (const e of extensions) {
      if (e.id < 1 || e.id > 255 || e.value.length > 255) {
        throw new RtpEncodeError(`extension id ${e.id} with ${e.value.length} bytes fits neither form`);
      }
    }
  }
  const extLength = hasExtension ? extensionBlockLength(extensions, oneByte) : 0;
  const padding = p.padding ?? 0;
  if (padding < 0 || padding > 255) throw new RtpEncodeError(`padding ${padding} is outside 0..255`);

  const size = 12 + csrcs.length * 4 + (hasExtension ? 4 + extLength : 0) + p.payload.length + padding;
  const out = new Uint8Array(size);
  out[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (hasExtension ? 0x10 : 0) | csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | (p.pt & 0x7f);
  out[2] = (p.seq >>> 8) & 0xff;
  out[3] = p.seq & 0xff;
  writeU32(out, 4, p.ts);
  writeU32(out, 8, p.ssrc);
  let pos = 12;
  for (const c of csrcs) {
    writeU32(out, pos, c);
    pos += 4;
  }
  if (hasExtension) {
    const profile = oneByte ? 0xbede : 0x1000;
    out[pos] = profile >>> 8;
    out[pos + 1] = profile & 0xff;
    out[pos + 2] = (extLength >>> 10) & 0xff;
    out[pos + 3] = (extLength >>> 2) & 0xff;
    pos += 4;
    const end = pos + extLength;
    for (const e of extensions) {
      if (oneByte) {
        out[pos++] = (e.id << 4) | (e.value.length - 1);
      } else {
        out[pos++] = e.id;
        out[pos++] = e.value.length;
      }
      out.set(e.value, pos);
      pos += e.value.length;
    }
    pos = end; // the remainder stays zero: padding bytes between/after elements
  }
  out.set(p.payload, pos);
  pos += p.payload.length;
  if (padding > 0) out[size - 1] = padding;
  return out;
}

function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = (v >>> 24) & 0xff;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}
