/**
 * A conference through an SFU/MCU at 10.0.0.2 (RFC 7667 §3.7 / §3.6), seen by an enforcer beside it:
 * three SIP calls, each a participant ↔ the SFU, on its own Call-ID and its own SFU port.
 *  - call A (conf-a): A 10.0.0.1:4000 ↔ SFU :5000, BUNDLE a r (rtcp-mux, mid ext id 4), A sends 1111;
 *    the SFU forwards B's 5001 and C's 6001 to A in r (declared in its answer with a=ssrc, or not).
 *  - call B (conf-b): B 10.0.0.3:4000 ↔ SFU :5002, B sends 5001 (a=ssrc).
 *  - call C (conf-c): C 10.0.0.4:4000 ↔ SFU :5004, C sends 6001 (a=ssrc).
 */
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { callSetup, type Pkt, sdp } from '../calls-on-any-address.js';

export const SFU = '10.0.0.2';
export const PA = '10.0.0.1';
export const PB = '10.0.0.3';
export const PC = '10.0.0.4';
export const MID_EXT = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const RID_EXT = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
export const RRID_EXT = 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';
const enc = new TextEncoder();

export interface ConfOpts {
  /** session-level lines of each caller's offer (e.g. a=aipref:session apt-x) */
  aSession?: string[];
  bSession?: string[];
  cSession?: string[];
  /** extra lines of m-section r in the SFU's answer to A (e.g. a=ssrc:5001 cname:b) */
  rAnswer?: string[];
  /** extra lines in A's m-section r of the offer */
  rOffer?: string[];
}

export function participantCall(callId: string, addr: string, sfuPort: number, ssrc: number, session: string[], extra: string[] = []): Pkt[] {
  const offer = sdp(addr, [['m=video 4000 RTP/AVPF 96', 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', `a=extmap:4 ${MID_EXT}`, `a=ssrc:${ssrc} cname:${callId}`, 'a=sendrecv', ...extra]], session);
  const answer = sdp(SFU, [[`m=video ${sfuPort} RTP/AVPF 96`, 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', `a=extmap:4 ${MID_EXT}`, 'a=recvonly']]);
  return callSetup({ callId, fromTag: `f-${callId}`, toTag: `t-${callId}`, offer, answer });
}

export function callA(o: ConfOpts = {}): Pkt[] {
  const offer = sdp(
    PA,
    [
      ['m=audio 4000 RTP/AVPF 111', 'a=mid:a', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', `a=extmap:4 ${MID_EXT}`, 'a=ssrc:1111 cname:alice', 'a=sendrecv'],
      ['m=video 4000 RTP/AVPF 96', 'a=mid:r', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', `a=extmap:4 ${MID_EXT}`, 'a=recvonly', ...(o.rOffer ?? [])],
    ],
    ['a=group:BUNDLE a r', ...(o.aSession ?? [])],
  );
  const answer = sdp(
    SFU,
    [
      ['m=audio 5000 RTP/AVPF 111', 'a=mid:a', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', `a=extmap:4 ${MID_EXT}`, 'a=ssrc:9001 cname:sfu', 'a=sendrecv'],
      ['m=video 5000 RTP/AVPF 96', 'a=mid:r', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', `a=extmap:4 ${MID_EXT}`, 'a=sendonly', ...(o.rAnswer ?? [])],
    ],
    ['a=group:BUNDLE a r'],
  );
  return callSetup({ callId: 'conf-a', fromTag: 'fa', toTag: 'ta', offer, answer });
}

/** All three calls set up: frames 1–9 (A's call 1–3, B's 4–6, C's 7–9). */
export function conference(o: ConfOpts = {}): Pkt[] {
  return [...callA(o), ...participantCall('conf-b', PB, 5002, 5001, o.bSession ?? []), ...participantCall('conf-c', PC, 5004, 6001, o.cSession ?? [])];
}

const ends: Record<string, [string, number]> = { A: [PA, 4000], B: [PB, 4000], C: [PC, 4000], SA: [SFU, 5000], SB: [SFU, 5002], SC: [SFU, 5004] };
type End = keyof typeof ends;

export function rtpOn(from: End, to: End, ssrc: number, ext: { id: number; v: string }[] = [], seq = 1, csrcs: number[] = []): Pkt {
  const [src, sport] = ends[from]!;
  const [dst, dport] = ends[to]!;
  return { src, dst, sport, dport, payload: encodeRtpPacket({ pt: 96, seq, ts: 1, ssrc, payload: new Uint8Array(20), ...(csrcs.length ? { csrcs } : {}), extensions: ext.map((e) => ({ id: e.id, value: enc.encode(e.v) })) } as Parameters<typeof encodeRtpPacket>[0]) };
}
export function rtcpOn(from: End, to: End, packets: RtcpPacketInput[]): Pkt {
  const [src, sport] = ends[from]!;
  const [dst, dport] = ends[to]!;
  return { src, dst, sport, dport, payload: encodeRtcpCompound(packets) };
}
export const rrP = (ssrc: number, about: number[], jitter = 4): RtcpPacketInput =>
  ({ pt: 201, ssrc, reports: about.map((s) => ({ ssrc: s, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter, lsr: 0, dlsr: 0 })) }) as RtcpPacketInput;
export const srP = (ssrc: number, about: number[] = []): RtcpPacketInput =>
  ({ pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: about.map((s) => ({ ssrc: s, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 })) }) as RtcpPacketInput;
export const sdesP = (chunks: { ssrc: number; items: ({ type: number; text: string } | { type: 8; prefix: string; value: string })[] }[]): RtcpPacketInput => ({ pt: 202, chunks }) as unknown as RtcpPacketInput;
export const byeP = (ssrcs: number[], reason?: string): RtcpPacketInput => ({ pt: 203, ssrcs, ...(reason ? { reason } : {}) }) as unknown as RtcpPacketInput;
