/**
 * Cross-call review helpers: the SFU conference of ../conference-review/conf-call.ts, plus in-dialog
 * re-INVITEs / 200s / BYEs for the participant calls (conf-b: From tag f-conf-b, To tag t-conf-b).
 */
import { sdp, sipMsg, type Pkt } from '../calls-on-any-address.js';
import { MID_EXT, PB, SFU } from '../conference-review/conf-call.js';

const A = '10.0.0.1';
const B = '10.0.0.2';

/** B's offer (or the SFU's answer) for conf-b's one m-section: port 4000 / 5002, or `port` (0: disabled). */
export const bOffer = (session: string[], port = 4000): string =>
  sdp(PB, [[`m=video ${port} RTP/AVPF 96`, 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', `a=extmap:4 ${MID_EXT}`, 'a=ssrc:5001 cname:conf-b', 'a=sendrecv']], session).replace('o=u 1 1', 'o=u 1 2');
export const bAnswer = (session: string[] = [], port = 5002): string =>
  sdp(SFU, [[`m=video ${port} RTP/AVPF 96`, 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', `a=extmap:4 ${MID_EXT}`, 'a=recvonly']], session).replace('o=u 1 1', 'o=u 1 2');

function head(callId: string, method: string, cseq: number, request: boolean): string[] {
  return [
    ...(request ? [`${method} sip:b@${B} SIP/2.0`] : []),
    `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}-${method}${cseq}`,
    `From: <sip:a@${A}>;tag=f-${callId}`,
    `To: <sip:b@${B}>;tag=t-${callId}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${method === 'ACK' ? 'ACK' : method}`,
  ];
}
export const reInvite = (callId: string, body: string, cseq = 2): Pkt => ({ src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg([...head(callId, 'INVITE', cseq, true), `Contact: <sip:a@${A}:5060>`], body) });
export const ok = (callId: string, body: string, cseq = 2): Pkt => ({
  src: B,
  dst: A,
  sport: 5060,
  dport: 5060,
  payload: sipMsg(['SIP/2.0 200 OK', ...head(callId, 'INVITE', cseq, false), `Contact: <sip:b@${B}:5060>`], body),
});
export const ack = (callId: string, cseq = 2): Pkt => ({ src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(head(callId, 'ACK', cseq, true), null) });
export const byeReq = (callId: string, cseq = 3): Pkt => ({ src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(head(callId, 'BYE', cseq, true), null) });
export const byeOk = (callId: string, cseq = 3): Pkt => ({ src: B, dst: A, sport: 5060, dport: 5060, payload: sipMsg(['SIP/2.0 200 OK', ...head(callId, 'BYE', cseq, false)], null) });
