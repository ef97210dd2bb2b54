/**
 * Small hand-built calls for the explanation review: A (10.0.0.1) calls B (10.0.0.2) with
 * an audio m-section (A: RTP 4000 / RTCP 4001, SSRC 1111; B: 5000 / 5001, SSRC 2222) and,
 * where asked, a video one (A: 4002, SSRC 3333; B: 5002, SSRC 4444). Replayed with the shared
 * `replay` of calls-on-any-address.ts (workers 0 and 2, identical lines checked there).
 */
import { A, B, sdp, sipMsg, type Pkt } from '../calls-on-any-address.js';

export const audio = (port: number, ssrc: number, extra: string[] = []): string[] => [`m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtpmap:0 PCMU/8000', `a=ssrc:${ssrc} cname:x`, ...extra, 'a=sendrecv'];
export const video = (port: number, ssrc: number, extra: string[] = []): string[] => [`m=video ${port} RTP/AVP 96`, 'a=mid:v', 'a=rtpmap:96 VP8/90000', `a=ssrc:${ssrc} cname:x`, ...extra, 'a=sendrecv'];

/** INVITE/200/ACK and BYE/200 of one call, with its own branch per From tag (so a reused Call-ID is a new call, not a retransmission). */
export function callOf(callId: string, fromTag: string, toTag: string, cseq: number, offerAudio: string[]): { setup: Pkt[]; bye: Pkt[] } {
  const via = (m: string, n: number) => `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${fromTag}-${m}${n}`;
  const from = `From: <sip:a@${A}>;tag=${fromTag}`;
  const to = `To: <sip:b@${B}>;tag=${toTag}`;
  const inv = sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via('INVITE', cseq), from, `To: <sip:b@${B}>`, `Call-ID: ${callId}`, `CSeq: ${cseq} INVITE`, `Contact: <sip:a@${A}:5060>`], sdp(A, [audio(4000, 1111, offerAudio)]));
  const ok = sipMsg(['SIP/2.0 200 OK', via('INVITE', cseq), from, to, `Call-ID: ${callId}`, `CSeq: ${cseq} INVITE`, `Contact: <sip:b@${B}:5060>`], sdp(B, [audio(5000, 2222)]));
  const ack = sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', via('ACK', cseq), from, to, `Call-ID: ${callId}`, `CSeq: ${cseq} ACK`], null);
  const bye = sipMsg(['BYE sip:b@10.0.0.2 SIP/2.0', via('BYE', cseq + 1), from, to, `Call-ID: ${callId}`, `CSeq: ${cseq + 1} BYE`], null);
  const byeOk = sipMsg(['SIP/2.0 200 OK', via('BYE', cseq + 1), from, to, `Call-ID: ${callId}`, `CSeq: ${cseq + 1} BYE`], null);
  const p = (fromA: boolean, payload: Uint8Array): Pkt => ({ src: fromA ? A : B, dst: fromA ? B : A, sport: 5060, dport: 5060, payload });
  return { setup: [p(true, inv), p(false, ok), p(true, ack)], bye: [p(true, bye), p(false, byeOk)] };
}
