/**
 * Builders shared by the binding-suspicions review: a BUNDLE call A (10.0.0.1:4000) ↔ B
 * (10.0.0.2:5000), two m-sections on one address with rtcp-mux, whose a=aipref lines, a=extmap
 * lines and ports are given per test; re-INVITEs from A; RTP with hand-written extension blocks.
 * Replays go through ../calls-on-any-address.ts `replay` (0 and 2 workers, lines compared).
 */
import { A, B, callSetup, rtcp, sdp, sipMsg, sr, type Pkt } from '../calls-on-any-address.js';
import { policyOf } from '../e2e-helpers.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';

export const M = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const TW = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
export const AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
export const CALL_ID = 'bsr-call@10.0.0.1';
export const POL = policyOf({
  apts: {
    'apt-raw': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-raw2': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-none': { type: 'domain', export: 'none', retention: '1h' },
    'apt-agg': { type: 'domain', export: 'aggregated-only', retention: '1h' },
  },
});

export interface Section {
  mid: string;
  /** extra lines of the m-section (a=aipref, a=extmap, a=inactive…) */
  lines?: string[];
  /** the m-line's port (default the side's BUNDLE port; 0 disables) */
  port?: number;
  kind?: 'audio' | 'video';
}

/** One side's SDP: `sections` on its BUNDLE port, grouped by BUNDLE. */
export function bundleSdp(side: 'a' | 'b', sections: Section[], session: string[] = []): string {
  const addr = side === 'a' ? A : B;
  const port = side === 'a' ? 4000 : 5000;
  return sdp(
    addr,
    sections.map((s) => {
      const kind = s.kind ?? 'audio';
      return [`m=${kind} ${s.port ?? port} RTP/AVP ${kind === 'audio' ? 0 : 96}`, `a=mid:${s.mid}`, 'a=rtcp-mux', ...(kind === 'video' ? ['a=rtpmap:96 VP8/90000'] : []), ...(s.lines ?? [])];
    }),
    [`a=group:BUNDLE ${sections.filter((s) => s.port !== 0).map((s) => s.mid).join(' ')}`, ...session],
  );
}

export function call(offer: string, answer: string): Pkt[] {
  return callSetup({ callId: CALL_ID, offer, answer });
}

/** A re-INVITE (CSeq `cseq`) from A carrying `offer`, and B's 200 with `answer`. */
export function reInvite(offer: string, answer: string, cseq = 2): [Pkt, Pkt] {
  const common = [`Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-bsr-${cseq}`, `From: <sip:a@${A}>;tag=ftag`, `To: <sip:b@${B}>;tag=ttag`, `Call-ID: ${CALL_ID}`, `CSeq: ${cseq} INVITE`];
  return [
    { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', ...common, `Contact: <sip:a@${A}:5060>`], offer) },
    { src: B, dst: A, sport: 5060, dport: 5060, payload: sipMsg(['SIP/2.0 200 OK', ...common, `Contact: <sip:b@${B}:5060>`], answer) },
  ];
}

/** RTP bytes (pt, seq) with a one-byte-form extension block holding `elements` ([id, bytes]). */
export function rtpBytes(ssrc: number, elements: [number, number[]][], seq = 1, pt = 0): Uint8Array {
  const block: number[] = [];
  for (const [id, v] of elements) block.push((id << 4) | (v.length - 1), ...v);
  while (block.length % 4) block.push(0);
  const hasExt = elements.length > 0;
  const b = new Uint8Array(12 + (hasExt ? 4 + block.length : 0) + 20);
  const dv = new DataView(b.buffer);
  b[0] = hasExt ? 0x90 : 0x80;
  b[1] = pt;
  dv.setUint16(2, seq);
  dv.setUint32(4, seq * 160);
  dv.setUint32(8, ssrc);
  if (hasExt) {
    dv.setUint16(12, 0xbede);
    dv.setUint16(14, block.length / 4);
    b.set(block, 16);
  }
  return b;
}
export const text = (s: string): number[] => [...new TextEncoder().encode(s)];

/** A → B on the BUNDLE address */
export const rtpFromA = (ssrc: number, elements: [number, number[]][], seq = 1, pt = 0): Pkt => ({ src: A, dst: B, sport: 4000, dport: 5000, payload: rtpBytes(ssrc, elements, seq, pt) });
/** B → A on the BUNDLE address */
export const rtpFromB = (ssrc: number, elements: [number, number[]][], seq = 1, pt = 0): Pkt => ({ src: B, dst: A, sport: 5000, dport: 4000, payload: rtpBytes(ssrc, elements, seq, pt) });
export const rtcpFromA = (packets: RtcpPacketInput[]): Pkt => rtcp(A, B, 4000, 5000, packets);
export const rtcpFromB = (packets: RtcpPacketInput[]): Pkt => rtcp(B, A, 5000, 4000, packets);
/** an SDES packet with only a MID item (no text item to be judged) */
export const sdesMidOnly = (ssrc: number, mid: string): RtcpPacketInput => ({ pt: 202, chunks: [{ ssrc, items: [{ type: 12, text: mid }] }] }) as unknown as RtcpPacketInput;
export { sr };
