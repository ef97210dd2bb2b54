/**
 * One call A → B in five SIP messages (INVITE with the offer, 200 with the answer, ACK, BYE,
 * 200 to the BYE) whose From/To/Call-ID lines each test writes, plus A's SR while the call runs
 * (frame 4) and after the BYE (frame 7).
 */
import { ANSWER, fromA, fromB, msg, OFFER, type Pkt, srA } from './identity-helpers.js';

export interface Shape {
  /** From line in A's requests and in the responses to them */
  from: string;
  /** To line of the INVITE (no tag) */
  to: string;
  /** To line once B's tag is known */
  toTagged: string;
  /** Call-ID line */
  callId: string;
  /** every line (start line included) of every message goes through this */
  line?: (l: string) => string;
  lengthName?: string;
  typeName?: string;
  byeStart?: string;
  byeCseq?: string;
}

export const PLAIN: Shape = {
  from: 'From: "Alice" <sip:a@10.0.0.1>;tag=ft1',
  to: 'To: <sip:b@10.0.0.2>',
  toTagged: 'To: <sip:b@10.0.0.2>;tag=tt1',
  callId: 'Call-ID: cid-1@10.0.0.1',
};

export function callOf(s: Shape): Pkt[] {
  const f = s.line ?? ((l: string) => l);
  const m = (lines: string[], body: string | null) => msg(lines.map(f), body, f(`${s.lengthName ?? 'Content-Length'}`), f(`${s.typeName ?? 'Content-Type'}`));
  const via = (b: string) => `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-${b}`;
  return [
    fromA(m(['INVITE sip:b@10.0.0.2 SIP/2.0', via('inv'), 'Max-Forwards: 70', s.from, s.to, s.callId, 'CSeq: 1 INVITE', 'Contact: <sip:a@10.0.0.1:5060>'], OFFER)),
    fromB(m(['SIP/2.0 200 OK', via('inv'), s.from, s.toTagged, s.callId, 'CSeq: 1 INVITE', 'Contact: <sip:b@10.0.0.2:5060>'], ANSWER)),
    fromA(m(['ACK sip:b@10.0.0.2:5060 SIP/2.0', via('ack'), 'Max-Forwards: 70', s.from, s.toTagged, s.callId, 'CSeq: 1 ACK'], null)),
    srA(),
    fromA(m([s.byeStart ?? 'BYE sip:b@10.0.0.2:5060 SIP/2.0', via('bye'), 'Max-Forwards: 70', s.from, s.toTagged, s.callId, s.byeCseq ?? 'CSeq: 2 BYE'], null)),
    fromB(m(['SIP/2.0 200 OK', via('bye'), s.from, s.toTagged, s.callId, s.byeCseq ?? 'CSeq: 2 BYE'], null)),
    srA(),
  ];
}
