/** SIP pieces for re-INVITEs on the BUNDLE call of ../rtcp-items/items-call.ts (this review's tests). */
import * as C from '../rtcp-items/items-call.js';

const enc = new TextEncoder();
function sipMsg(head: string[], body: string | null): Uint8Array {
  const b = body ?? '';
  return enc.encode([...head, ...(body !== null ? ['Content-Type: application/sdp'] : []), `Content-Length: ${enc.encode(b).length}`].join('\r\n') + '\r\n\r\n' + b);
}
/** the SDP without m-section d (and d out of the BUNDLE group) */
export const withoutD = (s: string): string => s.replace('a=group:BUNDLE a b v d', 'a=group:BUNDLE a b v').replace(/m=audio \d+ RTP\/AVP 0\r\na=mid:d[\s\S]*$/, '');
/** the SDP with m-section d at port 0 (and out of the BUNDLE group) */
export const dPort0 = (s: string): string => s.replace(/m=audio (\d+) RTP\/AVP 0\r\na=mid:d/, 'm=audio 0 RTP/AVP 0\r\na=mid:d').replace('a=group:BUNDLE a b v d', 'a=group:BUNDLE a b v');
/** o= version n */
export const version = (s: string, n: number): string => s.replace(/o=(\w) 1 1/, `o=$1 1 ${n}`);
const from = `From: <sip:a@${C.A}>;tag=ftag`;
const to = `To: <sip:b@${C.B}>;tag=ttag`;
const via = (m: string) => `Via: SIP/2.0/UDP ${C.A}:5060;branch=z9hG4bK-gcr-${m}`;
export function reinvite(ts: number, body: string, cseq = 2): C.Pkt {
  return { ts, src: C.A, dst: C.B, sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via(`re${cseq}`), from, to, `Call-ID: ${C.CALL}`, `CSeq: ${cseq} INVITE`, `Contact: <sip:a@${C.A}:5060>`], body) };
}
export function reok(ts: number, body: string, cseq = 2): C.Pkt {
  return { ts, src: C.B, dst: C.A, sport: 5060, dport: 5060, payload: sipMsg(['SIP/2.0 200 OK', via(`re${cseq}`), from, to, `Call-ID: ${C.CALL}`, `CSeq: ${cseq} INVITE`, `Contact: <sip:b@${C.B}:5060>`], body) };
}
/** INVITE/200/ACK with the given SDPs */
export function setupWith(a: string, b: string): C.Pkt[] {
  const invite = sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via('INVITE'), from, `To: <sip:b@${C.B}>`, `Call-ID: ${C.CALL}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${C.A}:5060>`], a);
  const ok = sipMsg(['SIP/2.0 200 OK', via('INVITE'), from, to, `Call-ID: ${C.CALL}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${C.B}:5060>`], b);
  const ack = sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', via('ACK'), from, to, `Call-ID: ${C.CALL}`, 'CSeq: 1 ACK'], null);
  return [
    { ts: 0, src: C.A, dst: C.B, sport: 5060, dport: 5060, payload: invite },
    { ts: 0.1, src: C.B, dst: C.A, sport: 5060, dport: 5060, payload: ok },
    { ts: 0.2, src: C.A, dst: C.B, sport: 5060, dport: 5060, payload: ack },
  ];
}
/** B's RR + TWCC {sender 2222, media source 1111, 4 statuses} on the bundle */
export const twccFromB = (ts: number): C.Pkt => C.fromB(ts, C.compound(C.RR(2222, []), C.RTPFB(15, 2222, 1111, C.twccFci(0, 4, 100, 1))));
