/**
 * RTCP written byte by byte for the review (RFC 3550 §6.4, RFC 3611 §4.7, RFC 4585 §6, RFC 5104
 * §4.3.1, draft-alvestrand-rmcat-remb, draft-holmer-rmcat-transport-wide-cc-extensions), not with
 * src/media/rtcp/encode.ts, and spliced into a compound of the sample.
 */

class W {
  bytes: number[] = [];
  u8(v: number) {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number) {
    return this.u8(v >>> 8).u8(v);
  }
  u24(v: number) {
    return this.u8(v >>> 16).u8(v >>> 8).u8(v);
  }
  u32(v: number) {
    return this.u16(v >>> 16).u16(v);
  }
  raw(b: ArrayLike<number>) {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]!);
    return this;
  }
}

function packet(countOrFmt: number, pt: number, body: number[]): Uint8Array {
  while (body.length % 4 !== 0) body.push(0);
  const w = new W().u8(0x80 | countOrFmt).u8(pt).u16(body.length / 4).raw(body);
  return Uint8Array.from(w.bytes);
}

export interface WireBlock {
  ssrc: number;
  fraction: number;
  /** the 24-bit field as written (two's complement for negatives) */
  cumulative24: number;
  jitter: number;
  lsr?: number;
  dlsr?: number;
}

function blocks(w: W, list: readonly WireBlock[]) {
  for (const b of list) w.u32(b.ssrc).u8(b.fraction).u24(b.cumulative24).u32(1000).u32(b.jitter).u32(b.lsr ?? 0).u32(b.dlsr ?? 0);
}

export function rr(ssrc: number, list: readonly WireBlock[]): Uint8Array {
  const w = new W().u32(ssrc);
  blocks(w, list);
  return packet(list.length, 201, w.bytes);
}

export function sr(ssrc: number, ntpMsw: number, ntpLsw: number, list: readonly WireBlock[]): Uint8Array {
  const w = new W().u32(ssrc).u32(ntpMsw).u32(ntpLsw).u32(1234).u32(10).u32(1600);
  blocks(w, list);
  return packet(list.length, 200, w.bytes);
}

export function xrVoip(ssrc: number, about: number, v: { mosLq: number; mosCq: number; rFactor: number }): Uint8Array {
  const w = new W().u32(ssrc);
  w.u8(7).u8(0).u16(8).u32(about);
  w.u8(1).u8(0).u8(0).u8(0).u16(0).u16(0).u16(50).u16(40);
  w.u8(0x100 - 30).u8(0x100 - 60).u8(127).u8(16).u8(v.rFactor).u8(127).u8(v.mosLq).u8(v.mosCq);
  w.u8(0).u8(0).u16(40).u16(80).u16(200);
  return packet(0, 207, w.bytes);
}

export function psfb(fmt: number, sender: number, media: number, fci: number[] = []): Uint8Array {
  return packet(fmt, 206, new W().u32(sender).u32(media).raw(fci).bytes);
}

export function rtpfb(fmt: number, sender: number, media: number, fci: number[] = []): Uint8Array {
  return packet(fmt, 205, new W().u32(sender).u32(media).raw(fci).bytes);
}

export const FCI = {
  fir: (ssrc: number, seq: number) => new W().u32(ssrc).u8(seq).u24(0).bytes,
  remb: (ssrc: number) => new W().raw([0x52, 0x45, 0x4d, 0x42]).u8(1).u8((2 << 2) | 0).u16(50000).u32(ssrc).bytes,
  afb: () => new W().raw([0x41, 0x42, 0x43, 0x44]).u32(0).bytes,
  nack: (pid: number) => new W().u16(pid).u16(0).bytes,
  // base seq 1, one packet, reference time 0, feedback count 0, run-length chunk (small delta ×1), delta 4
  twcc: () => new W().u16(1).u16(1).u24(0).u8(0).u16(0x2001).u8(4).bytes,
  tmmbr: (ssrc: number) => new W().u32(ssrc).u32(0x04000028).bytes,
};

/** The packets of a compound, by their length fields. */
export function packetsOf(compound: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + 4 <= compound.length) {
    const len = (((compound[at + 2]! << 8) | compound[at + 3]!) + 1) * 4;
    out.push(compound.subarray(at, at + len));
    at += len;
  }
  return out;
}

/** A compound with packet `index` replaced (or, with `append`, packets added at the end). */
export function splice(compound: Uint8Array, edit: { replace?: [number, Uint8Array]; append?: Uint8Array[] }): Uint8Array {
  const packets = packetsOf(compound);
  if (edit.replace) packets[edit.replace[0]] = edit.replace[1];
  return Uint8Array.from(Buffer.concat([...packets, ...(edit.append ?? [])]));
}
