/**
 * Shared builders for the SDES tag review: a one-audio-stream call (hand-built-calls.ts: A
 * 10.0.0.1:4000 SSRC 1111, B 10.0.0.2:5000 SSRC 2222, Call-ID CALL) and RTCP compounds whose
 * SDES chunks are written byte by byte, so that malformed items can be built too.
 */
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { type DecisionLine, type ExportLine, parseLines, policyOf, type ReplayLines, type ReportLine, type Workspace } from '../e2e-helpers.js';
import { type At, replayCall, request, response, sdpOf, withVideo } from '../hand-built-calls.js';

const enc = new TextEncoder();

export const POLICY = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-agg': { type: 'domain', export: 'aggregated-only', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
    'apt-raw2': { type: 'domain', export: 'raw', retention: '1h' },
  },
});

/** One SDES item, raw: type, length, the bytes. */
export const item = (type: number, text: string | Uint8Array): Uint8Array => {
  const b = typeof text === 'string' ? enc.encode(text) : text;
  return Uint8Array.from([type, b.length, ...b]);
};
/** A well-formed PRIV item: prefix length, prefix, value. */
export const priv = (prefix: string | Uint8Array, value: string | Uint8Array): Uint8Array => {
  const p = typeof prefix === 'string' ? enc.encode(prefix) : prefix;
  const v = typeof value === 'string' ? enc.encode(value) : value;
  return item(8, Uint8Array.from([p.length, ...p, ...v]));
};
export const cname = (t = 'a@10.0.0.1') => item(1, t);
export const mid = (t: string) => item(12, t);
export const rid = (t: string) => item(13, t);

/** An SDES packet (RFC 3550 §6.5) from raw chunks: each chunk's items, a null octet, padding to a word. */
export function sdesPacket(chunks: { ssrc: number; items: Uint8Array[] }[]): Uint8Array {
  const body: number[] = [];
  for (const c of chunks) {
    body.push((c.ssrc >>> 24) & 255, (c.ssrc >>> 16) & 255, (c.ssrc >>> 8) & 255, c.ssrc & 255);
    for (const i of c.items) body.push(...i);
    body.push(0);
    while (body.length % 4 !== 0) body.push(0);
  }
  const words = body.length / 4;
  return Uint8Array.from([0x80 | chunks.length, 202, (words >> 8) & 255, words & 255, ...body]);
}

export const srOf = (ssrc: number): Uint8Array =>
  encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] }]);
export const rrOf = (ssrc: number, about: number): Uint8Array =>
  encodeRtcpCompound([{ pt: 201, ssrc, reports: [{ ssrc: about, fractionLost: 0, cumulativeLost: 0, highestSeq: 100, jitter: 5, lsr: 0, dlsr: 0 }] }]);
/** An SR of `ssrc` then an SDES packet: one compound. */
export const compound = (ssrc: number, chunks: { ssrc: number; items: Uint8Array[] }[]): Uint8Array => Uint8Array.from([...srOf(ssrc), ...sdesPacket(chunks)]);

export interface CallShape {
  /** extra SDP lines for A's offer and B's answer audio m-section */
  offerLines?: string[];
  answerLines?: string[];
  headers?: string[];
  video?: boolean;
}

/** INVITE (A), 200 (B), ACK at t=0..0.2; then `rtcp` datagrams from A's RTCP port 4001 to B's 5001 at t=1, 2, … */
export function call(shape: CallShape, rtcp: Uint8Array[], more?: (at: At) => void): (at: At) => void {
  const offer = shape.video ? withVideo('a', []).replace('a=sendrecv', [...(shape.offerLines ?? []), 'a=sendrecv'].join('\r\n')) : sdpOf('a', shape.offerLines ?? []);
  const answer = shape.video ? withVideo('b', []).replace('a=sendrecv', [...(shape.answerLines ?? []), 'a=sendrecv'].join('\r\n')) : sdpOf('b', shape.answerLines ?? []);
  return (at) => {
    at(0, request('INVITE', 1, offer, shape.headers ?? [], ''), true);
    at(0.1, response('200 OK', 1, answer), false);
    at(0.2, request('ACK', 1, null), true);
    rtcp.forEach((p, i) => at(1 + i, p, true, 4001, 5001));
    more?.(at);
  };
}

export async function run(ws: Workspace, name: string, shape: CallShape, rtcp: Uint8Array[], policy = POLICY, more?: (at: At) => void) {
  const r: ReplayLines = await replayCall(ws, name, call(shape, rtcp, more), policy);
  return {
    r,
    decisions: parseLines<DecisionLine>(r.decisions),
    reports: parseLines<ReportLine>(r.reports),
    exports: parseLines<ExportLine>(r.exports),
    bindings: r.result.bindings,
  };
}

/** A BUNDLE offer/answer: audio (mid a, apt-raw) and video (mid v, apt-none) on one port with rtcp-mux, no a=ssrc. */
export const bundleSdp = (party: 'a' | 'b'): string => {
  const ip = party === 'a' ? '10.0.0.1' : '10.0.0.2';
  const port = party === 'a' ? 4000 : 5000;
  return ['v=0', `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', 'a=group:BUNDLE a v', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtcp-mux', 'a=rtpmap:0 PCMU/8000', 'a=aipref:mid apt-raw', 'a=sendrecv', `m=video ${port} RTP/AVP 96`, 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', 'a=aipref:mid apt-none', 'a=sendrecv', ''].join('\r\n');
};
