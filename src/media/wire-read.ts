/**
 * Big-endian integer reads over a byte array, shared by the RTP and RTCP decoders. Plain
 * index arithmetic instead of a DataView: V8 inlines these, and no view is allocated per packet.
 * Callers check bounds first; these do not.
 */

export function readU16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

export function readU24(b: Uint8Array, at: number): number {
  return (b[at] << 16) | (b[at + 1] << 8) | b[at + 2];
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}
