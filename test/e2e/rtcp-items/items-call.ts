/**
 * A BUNDLE call (rtcp-mux) with four m-sections, each under its own APT (policy file `apts`):
 *   mid a  audio  A 1111 / B 2222  apt-raw     raw, every feature, retention 1h
 *   mid b  audio  A 1112 / B 2223  apt-raw90   raw, media-metrics + feedback + rtcp-xr (no sdes, no app), 90s
 *   mid v  video  A 3333 / B 4444  apt-agg     aggregated-only, media-metrics + rtcp-xr + feedback, 15m
 *   mid d  audio  A 5555 / B 6666  apt-none    export none
 * A is 10.0.0.1:4000, B 10.0.0.2:5000; SIP on 5060. RTCP compounds are hand-written bytes
 * (not the project's encoder) so the decoder is checked against the wire as the RFCs lay it out.
 */
import { expect } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { type DecisionLine, type ExportLine, parseLines, type PcapRecord, policyOf, type PolicyJson, replayLines, type ReportLine, type Workspace, writePcapRecords } from '../e2e-helpers.js';

export const T0 = 1767225600;
export const A = '10.0.0.1';
export const B = '10.0.0.2';
export const CALL = 'items-review@10.0.0.1';

export const POLICY: PolicyJson = {
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-raw90': { type: 'user', export: 'raw', retention: '90s', features: ['media-metrics', 'feedback', 'rtcp-xr'] },
    'apt-agg': { type: 'user', export: 'aggregated-only', retention: '15m', features: ['media-metrics', 'rtcp-xr', 'feedback'] },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
  },
};

export interface Section {
  mid: string;
  kind: 'audio' | 'video';
  ssrcA: number;
  ssrcB: number;
  apt: string;
}
export const SECTIONS: Section[] = [
  { mid: 'a', kind: 'audio', ssrcA: 1111, ssrcB: 2222, apt: 'apt-raw' },
  { mid: 'b', kind: 'audio', ssrcA: 1112, ssrcB: 2223, apt: 'apt-raw90' },
  { mid: 'v', kind: 'video', ssrcA: 3333, ssrcB: 4444, apt: 'apt-agg' },
  { mid: 'd', kind: 'audio', ssrcA: 5555, ssrcB: 6666, apt: 'apt-none' },
];

const enc = new TextEncoder();

export function sdp(party: 'a' | 'b', opts: { bundle?: boolean } = {}): string {
  const ip = party === 'a' ? A : B;
  const port0 = party === 'a' ? 4000 : 5000;
  const bundle = opts.bundle ?? true;
  const lines = ['v=0', `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0'];
  if (bundle) lines.push('a=group:BUNDLE a b v d');
  SECTIONS.forEach((s, i) => {
    const port = bundle ? port0 : port0 + 2 * i;
    const pt = s.kind === 'audio' ? 0 : 96;
    lines.push(`m=${s.kind} ${port} RTP/AVP ${pt}`, `a=mid:${s.mid}`);
    if (bundle) lines.push('a=rtcp-mux');
    lines.push(s.kind === 'audio' ? 'a=rtpmap:0 PCMU/8000' : 'a=rtpmap:96 VP8/90000');
    lines.push(`a=ssrc:${party === 'a' ? s.ssrcA : s.ssrcB} cname:${party}`, `a=aipref:mid ${s.apt}`, 'a=sendrecv');
  });
  return lines.join('\r\n') + '\r\n';
}

function sipMsg(head: string[], body: string | null): Uint8Array {
  const b = body === null ? '' : body;
  const lines = [...head, ...(body !== null ? ['Content-Type: application/sdp'] : []), `Content-Length: ${enc.encode(b).length}`];
  return enc.encode(lines.join('\r\n') + '\r\n\r\n' + b);
}

export interface Pkt {
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

export function setup(opts: { bundle?: boolean; callId?: string } = {}): Pkt[] {
  const callId = opts.callId ?? CALL;
  const via = (m: string) => `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}-${m}`;
  const invite = sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via('INVITE'), `From: <sip:a@${A}>;tag=ftag`, `To: <sip:b@${B}>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${A}:5060>`], sdp('a', opts));
  const ok = sipMsg(['SIP/2.0 200 OK', via('INVITE'), `From: <sip:a@${A}>;tag=ftag`, `To: <sip:b@${B}>;tag=ttag`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${B}:5060>`], sdp('b', opts));
  const ack = sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', via('ACK'), `From: <sip:a@${A}>;tag=ftag`, `To: <sip:b@${B}>;tag=ttag`, `Call-ID: ${callId}`, 'CSeq: 1 ACK'], null);
  return [
    { ts: 0, src: A, dst: B, sport: 5060, dport: 5060, payload: invite },
    { ts: 0.1, src: B, dst: A, sport: 5060, dport: 5060, payload: ok },
    { ts: 0.2, src: A, dst: B, sport: 5060, dport: 5060, payload: ack },
  ];
}

/** A datagram from A (port 4000) to B (5000), or back. */
export const fromA = (ts: number, payload: Uint8Array, sport = 4000, dport = 5000): Pkt => ({ ts, src: A, dst: B, sport, dport, payload });
export const fromB = (ts: number, payload: Uint8Array, sport = 5000, dport = 4000): Pkt => ({ ts, src: B, dst: A, sport, dport, payload });

// ---------- hand-written wire bytes (RFC 3550 / 4585 / 5104 / 3611) ----------

class W {
  bytes: number[] = [];
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u24(v: number): this {
    return this.u8(v >>> 16).u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]!);
    return this;
  }
  pad4(): this {
    while (this.bytes.length % 4 !== 0) this.bytes.push(0);
    return this;
  }
}

/** A packet: header (V=2, count/fmt, pt, length) + body (a multiple of 4 bytes). */
function packet(count: number, pt: number, body: number[]): Uint8Array {
  if (body.length % 4 !== 0) throw new Error('body not word-aligned');
  const w = new W().u8(0x80 | count).u8(pt).u16(body.length / 4);
  return Uint8Array.from([...w.bytes, ...body]);
}

export interface Block {
  ssrc: number;
  fractionLost?: number;
  cumulativeLost?: number;
  highestSeq?: number;
  jitter?: number;
  lsr?: number;
  dlsr?: number;
}
function block(w: W, b: Block): void {
  w.u32(b.ssrc).u8(b.fractionLost ?? 0).u24(b.cumulativeLost ?? 0).u32(b.highestSeq ?? 1).u32(b.jitter ?? 0).u32(b.lsr ?? 0).u32(b.dlsr ?? 0);
}
export const NTP_SEC = 3976214400;
export function SR(ssrc: number, blocks: Block[] = [], s: { ntpSec?: number; ntpFrac?: number; rtpTs?: number; packetCount?: number; octetCount?: number } = {}): Uint8Array {
  const w = new W().u32(ssrc).u32(s.ntpSec ?? NTP_SEC).u32(s.ntpFrac ?? 0).u32(s.rtpTs ?? 1000).u32(s.packetCount ?? 10).u32(s.octetCount ?? 1600);
  for (const b of blocks) block(w, b);
  return packet(blocks.length, 200, w.bytes);
}
export function RR(ssrc: number, blocks: Block[]): Uint8Array {
  const w = new W().u32(ssrc);
  for (const b of blocks) block(w, b);
  return packet(blocks.length, 201, w.bytes);
}
export type SdesIt = { type: number; text: string } | { type: 8; prefix: string; value: string };
export function SDES(chunks: { ssrc: number; items: SdesIt[] }[]): Uint8Array {
  const w = new W();
  for (const c of chunks) {
    w.u32(c.ssrc);
    for (const it of c.items) {
      if ('prefix' in it) {
        const p = enc.encode(it.prefix);
        const v = enc.encode(it.value);
        w.u8(8).u8(1 + p.length + v.length).u8(p.length).raw(p).raw(v);
      } else {
        const t = enc.encode(it.text);
        w.u8(it.type).u8(t.length).raw(t);
      }
    }
    w.u8(0).pad4();
  }
  return packet(chunks.length, 202, w.bytes);
}
export function BYE(ssrcs: number[], reason?: string): Uint8Array {
  const w = new W();
  for (const s of ssrcs) w.u32(s);
  if (reason !== undefined) {
    const r = enc.encode(reason);
    w.u8(r.length).raw(r).pad4();
  }
  return packet(ssrcs.length, 203, w.bytes);
}
export function APP(ssrc: number, subtype: number, name: string, data: number[] = []): Uint8Array {
  return packet(subtype, 204, new W().u32(ssrc).raw(enc.encode(name)).raw(data).bytes);
}
export function RTPFB(fmt: number, sender: number, media: number, fci: number[] = []): Uint8Array {
  return packet(fmt, 205, new W().u32(sender).u32(media).raw(fci).bytes);
}
export function PSFB(fmt: number, sender: number, media: number, fci: number[] = []): Uint8Array {
  return packet(fmt, 206, new W().u32(sender).u32(media).raw(fci).bytes);
}
export const nackFci = (pairs: [number, number][]): number[] => {
  const w = new W();
  for (const [pid, blp] of pairs) w.u16(pid).u16(blp);
  return w.bytes;
};
/** RFC 5104 §4.2.1.1 TMMBR / §4.2.2.1 TMMBN FCI entry: SSRC, MxTBR Exp(6) Mantissa(17) Overhead(9). */
export const tmmbFci = (entries: { ssrc: number; exp: number; mantissa: number; overhead: number }[]): number[] => {
  const w = new W();
  for (const e of entries) w.u32(e.ssrc).u32(((e.exp & 0x3f) << 26) | ((e.mantissa & 0x1ffff) << 9) | (e.overhead & 0x1ff));
  return w.bytes;
};
/** FIR FCI (RFC 5104 §4.3.1.1): SSRC, seq nr, 3 reserved. */
export const firFci = (entries: { ssrc: number; seq: number }[]): number[] => {
  const w = new W();
  for (const e of entries) w.u32(e.ssrc).u8(e.seq).u24(0);
  return w.bytes;
};
/** REMB FCI: 'REMB', num SSRC, exp(6) mantissa(18), SSRCs. */
export const rembFci = (exp: number, mantissa: number, ssrcs: number[]): number[] => {
  const w = new W().raw(enc.encode('REMB')).u8(ssrcs.length).u8((exp << 2) | (mantissa >>> 16)).u16(mantissa & 0xffff);
  for (const s of ssrcs) w.u32(s);
  return w.bytes;
};
/** SLI (RFC 4585 §6.3.2): first(13) number(13) pictureId(6). */
export const sliFci = (first: number, number: number, pictureId: number): number[] => new W().u32(((first & 0x1fff) << 19) | ((number & 0x1fff) << 6) | (pictureId & 0x3f)).bytes;
/** RPSI (RFC 4585 §6.3.3): PB, 0|PT, native bit string, padding. */
export const rpsiFci = (pt: number, bits: number[]): number[] => {
  const padBits = ((4 - ((2 + bits.length) % 4)) % 4) * 8;
  return new W().u8(padBits).u8(pt & 0x7f).raw(bits).pad4().bytes;
};
/** TWCC (draft-holmer §3.1): base seq, status count, reference time(24), fb count, one run-length chunk, deltas. */
export const twccFci = (baseSeq: number, count: number, refTime: number, fbCount: number): number[] => {
  // one run-length chunk: T=0, S=1 (small delta), run length = count; deltas of 1 (×250 µs) each
  const w = new W().u16(baseSeq).u16(count).u24(refTime).u8(fbCount).u16((1 << 13) | count);
  for (let i = 0; i < count; i++) w.u8(4);
  return w.pad4().bytes;
};

export function XR(ssrc: number, blocks: number[][]): Uint8Array {
  const w = new W().u32(ssrc);
  for (const b of blocks) w.raw(b);
  return packet(0, 207, w.bytes);
}
function xrBlock(bt: number, typeSpecific: number, content: number[]): number[] {
  if (content.length % 4 !== 0) throw new Error('xr block not aligned');
  return new W().u8(bt).u8(typeSpecific).u16(content.length / 4).raw(content).bytes;
}
export const xrLossRle = (ssrc: number, begin: number, end: number, chunks: number[]): number[] => {
  const w = new W().u32(ssrc).u16(begin).u16(end);
  for (const c of chunks) w.u16(c);
  return xrBlock(1, 0, w.pad4().bytes);
};
export const xrDupRle = (ssrc: number, begin: number, end: number, chunks: number[]): number[] => {
  const w = new W().u32(ssrc).u16(begin).u16(end);
  for (const c of chunks) w.u16(c);
  return xrBlock(2, 0, w.pad4().bytes);
};
export const xrReceiptTimes = (ssrc: number, begin: number, times: number[]): number[] => {
  const w = new W().u32(ssrc).u16(begin).u16(begin + times.length);
  for (const t of times) w.u32(t);
  return xrBlock(3, 0, w.bytes);
};
export const xrRrt = (ntpSec: number, ntpFrac: number): number[] => xrBlock(4, 0, new W().u32(ntpSec).u32(ntpFrac).bytes);
export const xrDlrr = (subs: { ssrc: number; lrr: number; dlrr: number }[]): number[] => {
  const w = new W();
  for (const s of subs) w.u32(s.ssrc).u32(s.lrr).u32(s.dlrr);
  return xrBlock(5, 0, w.bytes);
};
export const xrStats = (ssrc: number): number[] =>
  xrBlock(6, 0xe0, new W().u32(ssrc).u16(100).u16(200).u32(3).u32(1).u32(10).u32(90).u32(40).u32(12).u8(60).u8(64).u8(62).u8(1).bytes);
export const xrVoip = (ssrc: number, mosLq = 41, mosCq = 40, rFactor = 85): number[] =>
  xrBlock(
    7,
    0,
    new W().u32(ssrc).u8(10).u8(5).u8(20).u8(3).u16(120).u16(3000).u16(150).u16(80).u8(0xe0 /* -32 dBm */).u8(0xb0).u8(127).u8(16).u8(rFactor).u8(127).u8(mosLq).u8(mosCq).u8(0x28).u8(0).u16(40).u16(80).u16(120).bytes,
  );
/** RFC 7005 de-jitter buffer metrics block (BT 23): I, reserved, SSRC of source, JB nominal/max/high-water/low-water. */
export const xrDeJitter = (ssrc: number): number[] => xrBlock(23, 0xc0, new W().u32(ssrc).u16(40).u16(80).u16(120).u16(20).bytes);
/** RFC 6776 measurement information block (BT 14): reserved, SSRC of source, first seq, interval and cumulative durations, ... */
export const xrMeasurementInfo = (ssrc: number): number[] => xrBlock(14, 0, new W().u32(ssrc).u16(0).u16(100).u32(0).u32(5000).u32(1).u32(0).u32(2).bytes);

/** One RTP packet (PCMU or VP8), so the stream has been seen sending. */
export function RTP(ssrc: number, seq: number, pt: number, ts = 1000): Uint8Array {
  return Uint8Array.from(new W().u8(0x80).u8(pt).u16(seq).u32(ts).u32(ssrc).raw(new Array(20).fill(0xd5)).bytes);
}

export const compound = (...packets: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(packets.map((p) => Buffer.from(p))));

export interface Run {
  decisions: DecisionLine[];
  exports: ExportLine[];
  reports: ReportLine[];
  bindings: unknown[];
  summary: unknown;
}

let n = 0;
export async function writeCapture(ws: Workspace, pkts: Pkt[]): Promise<string> {
  const records: PcapRecord[] = pkts.map((p) => ({ ts: T0 + p.ts, data: buildEthernetIpv4Udp(p) }));
  const file = await ws.file(`items-${n++}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  return file;
}

/** Replays with 0 and 2 workers; both must agree. Returns the 0-worker run. */
export async function replay(ws: Workspace, pkts: Pkt[], policy: PolicyJson = POLICY, windowSec = 10): Promise<Run & { file: string }> {
  const file = await writeCapture(ws, pkts);
  const [one, two] = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy: policyOf(policy), workers, explain: true, windowSec })));
  expect(two!.exports).toEqual(one!.exports);
  expect(two!.decisions).toEqual(one!.decisions);
  expect(two!.reports).toEqual(one!.reports);
  return {
    file,
    decisions: parseLines<DecisionLine>(one!.decisions),
    exports: parseLines<ExportLine>(one!.exports),
    reports: parseLines<ReportLine>(one!.reports),
    bindings: one!.result.bindings as unknown[],
    summary: one!.result,
  };
}

/** Setup + one RTP packet from every declared SSRC at 0.3 s. */
export function callWithMedia(opts: { bundle?: boolean; callId?: string } = {}): Pkt[] {
  const pkts = setup(opts);
  SECTIONS.forEach((s, i) => {
    const pt = s.kind === 'audio' ? 0 : 96;
    const bundle = opts.bundle ?? true;
    const pa = bundle ? 4000 : 4000 + 2 * i;
    const pb = bundle ? 5000 : 5000 + 2 * i;
    pkts.push(fromA(0.3, RTP(s.ssrcA, 100, pt), pa, pb), fromB(0.3, RTP(s.ssrcB, 200, pt), pb, pa));
  });
  return pkts;
}
