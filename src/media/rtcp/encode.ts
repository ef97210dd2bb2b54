/**
 * RTCP encoders: the inverse of the decoders, used by the sample generator and by round-trip
 * tests. Any decoded packet (with or without `offset`/`length`) encodes back to the same wire
 * bytes, except for content the decoded form does not keep (APP data, TWCC chunks, unknown
 * bodies), which is written as zeros unless the encode-only fields below supply it.
 */
import {
  RtcpType,
  SdesItemType,
  type AppDefined,
  type ExtendedReport,
  type Goodbye,
  type PayloadFeedback,
  type ReceiverReport,
  type ReportBlock,
  type SenderReport,
  type SourceDescription,
  type TransportFeedback,
  type TransportWideFeedback,
  type UnknownRtcp,
  type XrBlock,
} from './types.js';
import { xrSourceOffset } from './extended-report.js';

type WithoutPlacement<T> = T extends unknown ? Omit<T, 'offset' | 'length'> : never;

/** Fields only the encoder reads: how to fill what the decoded form does not keep. */
interface EncodeOnly {
  /** bytes of RTCP padding to append (a multiple of 4, 4..252); sets the P bit */
  padding?: number;
}

export type AppDefinedInput = Omit<AppDefined, 'offset' | 'length' | 'dataLength'> & {
  /** application data (a multiple of 4 bytes); when absent, `dataLength` zero bytes */
  data?: Uint8Array;
  dataLength?: number;
};
export type TransportFeedbackInput = Omit<TransportFeedback, 'offset' | 'length'> & {
  /** raw FCI to write instead of one built from `nacks`/`twcc` */
  fci?: Uint8Array;
};
export type PayloadFeedbackInput = Omit<PayloadFeedback, 'offset' | 'length'> & {
  /** raw FCI to write instead of one built from `fir`/`remb` */
  fci?: Uint8Array;
};
export type UnknownRtcpInput = Omit<UnknownRtcp, 'offset' | 'length'> & {
  /** the 5-bit count/format field */
  count?: number;
  /** bytes after the SSRC word (a multiple of 4) */
  body?: Uint8Array;
};

export type RtcpPacketInput = (
  | WithoutPlacement<SenderReport>
  | WithoutPlacement<ReceiverReport>
  | WithoutPlacement<SourceDescription>
  | WithoutPlacement<Goodbye>
  | AppDefinedInput
  | TransportFeedbackInput
  | PayloadFeedbackInput
  | WithoutPlacement<ExtendedReport>
  | UnknownRtcpInput
) &
  EncodeOnly;

/** Thrown for inputs that cannot be put on the wire (a count over 31, a string over 255 bytes). */
export class RtcpEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtcpEncodeError';
  }
}

const utf8 = new TextEncoder();

/** A growable big-endian writer private to the encoders. */
class WireWriter {
  buf = new Uint8Array(256);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }
  u24(v: number): void {
    this.ensure(3);
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
  alignTo4(): void {
    while (this.pos & 3) this.u8(0);
  }
  patchU16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function checkCount(what: string, n: number): number {
  if (n > 31) throw new RtcpEncodeError(`${what}: ${n} entries do not fit the 5-bit count`);
  return n;
}

function shortString(what: string, s: string, reserve = 0): Uint8Array {
  const b = utf8.encode(s);
  if (b.length + reserve > 255) throw new RtcpEncodeError(`${what}: ${b.length} bytes do not fit an 8-bit length`);
  return b;
}

function writeReportBlock(w: WireWriter, r: ReportBlock): void {
  w.u32(r.ssrc);
  w.u8(r.fractionLost);
  w.u24(r.cumulativeLost & 0xffffff);
  w.u32(r.highestSeq);
  w.u32(r.jitter);
  w.u32(r.lsr);
  w.u32(r.dlsr);
}

function writeSdes(w: WireWriter, p: WithoutPlacement<SourceDescription>): void {
  for (const chunk of p.chunks) {
    w.u32(chunk.ssrc);
    for (const item of chunk.items) {
      if ('prefix' in item) {
        const prefix = shortString('SDES PRIV prefix', item.prefix, 1);
        const value = utf8.encode(item.value);
        if (1 + prefix.length + value.length > 255) throw new RtcpEncodeError('SDES PRIV item over 255 bytes');
        w.u8(SdesItemType.PRIV);
        w.u8(1 + prefix.length + value.length);
        w.u8(prefix.length);
        w.bytes(prefix);
        w.bytes(value);
      } else {
        const text = shortString(`SDES item ${item.type}`, item.text);
        w.u8(item.type);
        w.u8(text.length);
        w.bytes(text);
      }
    }
    // RFC 3550 §6.5: the item list ends with at least one null octet, then pads to a word.
    w.u8(0);
    w.alignTo4();
  }
}

function writeXrBlock(w: WireWriter, b: XrBlock): void {
  const start = w.pos;
  if ('unknown' in b) {
    w.u8(b.bt);
    w.u8(b.typeSpecific);
    // the source where the decoder reads it (xrSourceOffset: IDMS names it at byte 12)
    const at = b.ssrc === undefined ? -1 : xrSourceOffset(b.bt);
    const len = Math.max(at < 0 ? 4 : at + 4, b.length);
    w.u16((len >>> 2) - 1);
    if (at >= 0) {
      w.zeros(at - 4);
      w.u32(b.ssrc!);
    }
    w.zeros(len - (at < 0 ? 4 : at + 4));
    return;
  }
  w.u8(b.bt);
  switch (b.bt) {
    case 1:
    case 2: {
      w.u8(b.thinning & 0x0f);
      w.u16(0);
      w.u32(b.ssrc);
      w.u16(b.beginSeq);
      w.u16(b.endSeq);
      for (const c of b.chunks) w.u16(c);
      // a null chunk pads the list to a word (RFC 3611 §4.1)
      if (b.chunks.length & 1) w.u16(0);
      break;
    }
    case 3: {
      w.u8(b.thinning & 0x0f);
      w.u16(0);
      w.u32(b.ssrc);
      w.u16(b.beginSeq);
      w.u16(b.endSeq);
      for (const t of b.receiptTimes) w.u32(t);
      break;
    }
    case 4:
      w.u8(0);
      w.u16(0);
      w.u32(b.ntpSec);
      w.u32(b.ntpFrac);
      break;
    case 5:
      w.u8(0);
      w.u16(0);
      for (const s of b.subBlocks) {
        w.u32(s.ssrc);
        w.u32(s.lrr);
        w.u32(s.dlrr);
      }
      break;
    case 6:
      w.u8(b.flags);
      w.u16(0);
      w.u32(b.ssrc);
      w.u16(b.beginSeq);
      w.u16(b.endSeq);
      w.u32(b.lostPackets);
      w.u32(b.dupPackets);
      w.u32(b.minJitter);
      w.u32(b.maxJitter);
      w.u32(b.meanJitter);
      w.u32(b.devJitter);
      w.u8(b.minTtlOrHl);
      w.u8(b.maxTtlOrHl);
      w.u8(b.meanTtlOrHl);
      w.u8(b.devTtlOrHl);
      break;
    case 7:
      w.u8(0);
      w.u16(0);
      w.u32(b.ssrc);
      w.u8(b.lossRate);
      w.u8(b.discardRate);
      w.u8(b.burstDensity);
      w.u8(b.gapDensity);
      w.u16(b.burstDuration);
      w.u16(b.gapDuration);
      w.u16(b.roundTripDelay);
      w.u16(b.endSystemDelay);
      w.u8(b.signalLevel);
      w.u8(b.noiseLevel);
      w.u8(b.rerl);
      w.u8(b.gmin);
      w.u8(b.rFactor);
      w.u8(b.extRFactor);
      w.u8(b.mosLq);
      w.u8(b.mosCq);
      w.u8(b.rxConfig);
      w.u8(0);
      w.u16(b.jbNominal);
      w.u16(b.jbMaximum);
      w.u16(b.jbAbsMax);
      break;
  }
  w.patchU16(start + 2, ((w.pos - start) >>> 2) - 1);
}

/** REMB carries the bitrate as an 18-bit mantissa and a 6-bit exponent; TMMBR/TMMBN a 17-bit one. */
function rembExponentMantissa(bitrate: number, mantissaBits = 18): [number, number] {
  let exp = 0;
  let mantissa = Math.floor(bitrate);
  while (mantissa >= 2 ** mantissaBits) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  return [exp, mantissa];
}

function writeBody(w: WireWriter, p: RtcpPacketInput): number {
  if ('unknown' in p) {
    w.u32(p.ssrc);
    if (p.body) w.bytes(p.body);
    return p.count ?? 0;
  }
  switch (p.pt) {
    case RtcpType.SR:
      w.u32(p.ssrc);
      w.u32(p.ntpSec);
      w.u32(p.ntpFrac);
      w.u32(p.rtpTs);
      w.u32(p.packetCount);
      w.u32(p.octetCount);
      for (const r of p.reports) writeReportBlock(w, r);
      return checkCount('SR report blocks', p.reports.length);
    case RtcpType.RR:
      w.u32(p.ssrc);
      for (const r of p.reports) writeReportBlock(w, r);
      return checkCount('RR report blocks', p.reports.length);
    case RtcpType.SDES:
      writeSdes(w, p);
      return checkCount('SDES chunks', p.chunks.length);
    case RtcpType.BYE: {
      for (const s of p.ssrcs) w.u32(s);
      if (p.reason !== undefined) {
        const reason = shortString('BYE reason', p.reason);
        w.u8(reason.length);
        w.bytes(reason);
        w.alignTo4();
      }
      return checkCount('BYE sources', p.ssrcs.length);
    }
    case RtcpType.APP: {
      w.u32(p.ssrc);
      const name = new Uint8Array(4);
      for (let i = 0; i < 4; i++) name[i] = i < p.name.length ? p.name.charCodeAt(i) & 0x7f : 0x20;
      w.bytes(name);
      if (p.data) w.bytes(p.data);
      else w.zeros(p.dataLength ?? 0);
      w.alignTo4();
      return p.subtype & 0x1f;
    }
    case RtcpType.RTPFB:
      w.u32(p.senderSsrc);
      if (p.fmt === 11 && p.ccfb && !p.fci) {
        // RFC 8888 §3.1: no media SSRC; per stream its reports, padded to 32 bits; the Report Timestamp
        for (const stream of p.ccfb.streams) {
          w.u32(stream.ssrc);
          w.u16(stream.beginSeq);
          w.u16(stream.reports.length);
          for (const r of stream.reports) w.u16((r.received ? 0x8000 : 0) | ((r.ecn & 0x3) << 13) | (r.ato & 0x1fff));
          w.alignTo4();
        }
        w.u32(p.ccfb.reportTimestamp);
        return p.fmt;
      }
      w.u32(p.mediaSsrc);
      if (p.fci) w.bytes(p.fci);
      else if (p.fmt === 1 && p.nacks) {
        for (const n of p.nacks) {
          w.u16(n.pid);
          w.u16(n.blp);
        }
      } else if ((p.fmt === 3 || p.fmt === 4) && p.tmmb) {
        for (const t of p.tmmb) {
          w.u32(t.ssrc);
          const [exp, mantissa] = rembExponentMantissa(t.bitrate, 17);
          w.u32(((exp << 26) | (mantissa << 9) | (t.overhead & 0x1ff)) >>> 0);
        }
      } else if (p.fmt === 15 && p.twcc) {
        w.u16(p.twcc.baseSeq);
        w.u16(p.twcc.statusCount);
        w.u24(p.twcc.referenceTime);
        w.u8(p.twcc.fbCount);
        writeTwccDetail(w, p.twcc);
        w.alignTo4();
      }
      return p.fmt & 0x1f;
    case RtcpType.PSFB:
      w.u32(p.senderSsrc);
      w.u32(p.mediaSsrc);
      if (p.fci) w.bytes(p.fci);
      else if (p.fmt === 4 && p.fir) {
        for (const f of p.fir) {
          w.u32(f.ssrc);
          w.u8(f.seq);
          w.u24(0);
        }
      } else if ((p.fmt === 5 || p.fmt === 6) && p.tst) {
        for (const t of p.tst) {
          w.u32(t.ssrc);
          w.u8(t.seq);
          w.u16(0);
          w.u8(t.index & 0x1f);
        }
      } else if (p.fmt === 7 && p.vbcm) {
        for (const v of p.vbcm) {
          w.u32(v.ssrc);
          w.u8(v.seq);
          w.u8(v.pt & 0x7f);
          w.u16(v.length);
          w.zeros(v.length);
          w.alignTo4();
        }
      } else if (p.fmt === 15 && p.remb) {
        w.bytes(Uint8Array.of(0x52, 0x45, 0x4d, 0x42)); // "REMB"
        if (p.remb.ssrcs.length > 255) throw new RtcpEncodeError('REMB: more than 255 SSRCs');
        w.u8(p.remb.ssrcs.length);
        const [exp, mantissa] = rembExponentMantissa(p.remb.bitrate);
        w.u8((exp << 2) | (mantissa >>> 16));
        w.u16(mantissa & 0xffff);
        for (const s of p.remb.ssrcs) w.u32(s);
      }
      return p.fmt & 0x1f;
    case RtcpType.XR:
      w.u32(p.ssrc);
      for (const b of p.blocks) writeXrBlock(w, b);
      return 0;
  }
}

function writePacket(w: WireWriter, p: RtcpPacketInput): void {
  const start = w.pos;
  w.u32(0); // header, patched below once the length is known
  const count = writeBody(w, p);
  w.alignTo4();
  let padded = false;
  if (p.padding !== undefined && p.padding > 0) {
    if (p.padding & 3 || p.padding > 252) throw new RtcpEncodeError(`padding ${p.padding} is not a multiple of 4 up to 252`);
    w.zeros(p.padding - 1);
    w.u8(p.padding);
    padded = true;
  }
  const words = ((w.pos - start) >>> 2) - 1;
  if (words > 0xffff) throw new RtcpEncodeError(`packet of ${w.pos - start} bytes exceeds the 16-bit length`);
  w.buf[start] = 0x80 | (padded ? 0x20 : 0) | (count & 0x1f);
  w.buf[start + 1] = p.pt;
  w.patchU16(start + 2, words);
}

/** Encodes one RTCP packet (header, body, word alignment, optional padding). */
export function encodeRtcpPacket(p: RtcpPacketInput): Uint8Array {
  const w = new WireWriter();
  writePacket(w, p);
  return w.result();
}

/** Encodes packets back to back as one compound datagram (the caller chooses the order). */
export function encodeRtcpCompound(ps: readonly RtcpPacketInput[]): Uint8Array {
  const w = new WireWriter();
  for (const p of ps) writePacket(w, p);
  return w.result();
}

/**
 * A TWCC feedback's packet chunks and receive deltas (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1.3–3.1.5) from `status` and `deltasUs`: a run length chunk for a run of 7 or more equal
 * symbols (or the last ones), else a one-bit status vector when the next 14 need no large
 * delta, else a two-bit one. Without `status`, every packet is described as not received.
 */
function writeTwccDetail(w: WireWriter, twcc: TransportWideFeedback): void {
  const count = twcc.statusCount;
  const status = twcc.status ?? '0'.repeat(count);
  const deltas = twcc.deltasUs ?? [];
  if (status.length !== count) throw new RtcpEncodeError(`TWCC: status describes ${status.length} packets, statusCount says ${count}`);
  const symbols = Uint8Array.from(status, (c) => {
    const s = '012'.indexOf(c);
    if (s < 0) throw new RtcpEncodeError(`TWCC: status symbol ${JSON.stringify(c)} is not 0, 1 or 2`);
    return s;
  });
  const received = symbols.reduce((n, s) => n + (s === 0 ? 0 : 1), 0);
  if (deltas.length !== received) throw new RtcpEncodeError(`TWCC: ${deltas.length} receive deltas for ${received} received packets`);
  let n = 0;
  while (n < count) {
    let run = 1;
    while (n + run < count && run < 0x1fff && symbols[n + run] === symbols[n]) run++;
    if (run >= 7 || n + run === count) {
      w.u16((symbols[n]! << 13) | run);
      n += run;
    } else if (symbols.subarray(n, n + 14).every((s) => s < 2)) {
      let chunk = 0x8000;
      for (let i = 0; i < 14; i++) chunk |= (symbols[n + i] ?? 0) << (13 - i);
      w.u16(chunk);
      n += 14;
    } else {
      let chunk = 0xc000;
      for (let i = 0; i < 7; i++) chunk |= (symbols[n + i] ?? 0) << (12 - 2 * i);
      w.u16(chunk);
      n += 7;
    }
  }
  let d = 0;
  for (const s of symbols) {
    if (s === 0) continue;
    const delta = deltas[d++]!;
    const units = delta / 250;
    const [min, max] = s === 1 ? [0, 0xff] : [-0x8000, 0x7fff];
    if (!Number.isInteger(units) || units < min || units > max) throw new RtcpEncodeError(`TWCC: receive delta ${delta} µs does not fit a ${s === 1 ? 'small' : 'large'} delta`);
    if (s === 1) w.u8(units);
    else w.u16(units & 0xffff);
  }
}
