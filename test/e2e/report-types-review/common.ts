/** Shared bits of the report-types review: the hand-built call of calls-on-any-address.ts (A 10.0.0.1 → B 10.0.0.2, audio mid "a", SSRC 1111/2222) and in-dialog requests. */
import { A, B, sdp, sipMsg, type Pkt } from '../calls-on-any-address.js';
import { policyOf } from '../e2e-helpers.js';
import { audio } from '../explanations-review/helpers.js';

export const callId = 'rb-call@10.0.0.1';
const from = `From: <sip:a@${A}>;tag=ftag`;
const to = `To: <sip:b@${B}>;tag=ttag`;
export const policy = policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw' }, 'apt-agg': { type: 'user', export: 'aggregated-only' } } });
export const answer = sdp(B, [audio(5000, 2222)]);
export const dialog = { callId, fromTag: 'ftag', toTag: 'ttag' };

export function reinvite(cseq: number, offer: string, extra: string[] = [], branch = `re${cseq}`): Pkt {
  const via = `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${branch}`;
  return { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via, from, to, `Call-ID: ${callId}`, `CSeq: ${cseq} INVITE`, `Contact: <sip:a@${A}:5060>`, ...extra], offer) };
}
export function response(cseq: number, body: string | null, status = '200 OK', extra: string[] = [], branch = `re${cseq}`): Pkt {
  const via = `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${branch}`;
  return { src: B, dst: A, sport: 5060, dport: 5060, payload: sipMsg([`SIP/2.0 ${status}`, via, from, to, `Call-ID: ${callId}`, `CSeq: ${cseq} INVITE`, `Contact: <sip:b@${B}:5060>`, ...extra], body) };
}
export function ack(cseq: number, branch = `ack${cseq}`): Pkt {
  const via = `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${branch}`;
  return { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', via, from, to, `Call-ID: ${callId}`, `CSeq: ${cseq} ACK`], null) };
}
/** The summary's reports counts equal the report lines by type. */
export function countsOf(reports: { type: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reports) out[r.type] = (out[r.type] ?? 0) + 1;
  return out;
}
