/**
 * B2BUA/SBC review: one call through a back-to-back user agent at S (10.0.0.5) is two dialogs —
 * the A-leg (A 10.0.0.1:4000 ↔ S:20000) and the B-leg (S:30000 ↔ B 10.0.0.2:5000), different
 * Call-IDs — whose media the SBC relays, often with the same SSRCs on both legs. Built on
 * ../port-reuse-review/common.ts (every replay runs with 0 and 2 workers and both must agree).
 */
import { A, B, bye, replay, rtcpPkt, sdpAt, setup, srIn, THREE, type Pkt } from '../port-reuse-review/common.js';

export { A, B, bye, replay, rtcpPkt, sdpAt, setup, srIn, THREE, type Pkt };
export const S = '10.0.0.5';

export interface LegSsrcs {
  /** the SSRC the A side sends on this leg, declared in this leg's offer (null: no a=ssrc) */
  offer: number | null;
  /** the SSRC the answering side sends on this leg, declared in this leg's answer (null: no a=ssrc) */
  answer: number | null;
}

/** A-leg 'aleg': A's offer at A:4000, the SBC's answer at S:20000, both with a=aipref:session `apt`. */
export const aLeg = (t: number, apt: string, s: LegSsrcs, cseq = 1, toTag = '', aPort = 4000): Pkt[] =>
  setup('aleg', t, sdpAt(A, aPort, s.offer, [`a=aipref:session ${apt}`]), sdpAt(S, 20000, s.answer, [`a=aipref:session ${apt}`]), cseq, toTag);

/** B-leg 'bleg': the SBC's offer at S:30000, B's answer at B:5000, both with a=aipref:session `apt`. */
export const bLeg = (t: number, apt: string, s: LegSsrcs, cseq = 1, toTag = '', bPort = 5000): Pkt[] =>
  setup('bleg', t, sdpAt(S, 30000, s.offer, [`a=aipref:session ${apt}`]), sdpAt(B, bPort, s.answer, [`a=aipref:session ${apt}`]), cseq, toTag);

/** RTCP on the A-leg: A → S (fromA) or S → A. */
export const onA = (t: number, fromA: boolean, ssrc: number, reportOn?: number, aPort = 4000): Pkt =>
  fromA ? rtcpPkt(t, A, aPort + 1, S, 20001, [srIn(ssrc, reportOn)]) : rtcpPkt(t, S, 20001, A, aPort + 1, [srIn(ssrc, reportOn)]);
/** RTCP on the B-leg: S → B (fromS) or B → S. */
export const onB = (t: number, fromS: boolean, ssrc: number, reportOn?: number, bPort = 5000): Pkt =>
  fromS ? rtcpPkt(t, S, 30001, B, bPort + 1, [srIn(ssrc, reportOn)]) : rtcpPkt(t, B, bPort + 1, S, 30001, [srIn(ssrc, reportOn)]);

export const exported = (o: { exports: { type?: string; dialog?: { callId: string } | null; stream: { ssrc: number }; apt?: unknown }[] }) =>
  o.exports.map((e) => `${e.dialog?.callId ?? null} ${e.stream.ssrc} ${String(e.apt)}`);
