/**
 * The SIP messages of one call in send order, each with its time and what it means to the
 * truth manifest (which renegotiation step it is, whether it is a retransmission).
 */
import type { CallPlan } from './call-plan.js';
import { buildSdp } from './sdp-text.js';
import { buildAck, buildBye, buildInvite, buildResponse } from './sip-text.js';

export type RenegotiationStep = 'offer' | 'answer' | 'ack' | 'retransmit';

export interface ScriptedSipMessage {
  us: number;
  from: 'caller' | 'callee';
  text: string;
  /** "INVITE", "ACK", "BYE", or the status code of a response */
  message: string;
  cseq: number;
  retransmission: boolean;
  renegotiation: RenegotiationStep | null;
}

export const RENEGOTIATION_CSEQ = 2;

/** Seed §5.1.3: the answer of a UAS that cannot comply with the preferences offered. */
export const AIPREF_REFUSAL_WARNING = ['Warning', '399 aipref "Preference unsupported"'] as const;

export function scriptCall(call: CallPlan): ScriptedSipMessage[] {
  const out: ScriptedSipMessage[] = [];
  const add = (m: Omit<ScriptedSipMessage, 'retransmission' | 'renegotiation'> & Partial<ScriptedSipMessage>): void => {
    out.push({ retransmission: false, renegotiation: null, ...m });
  };
  const offer = buildSdp(call, 'caller', 1);
  const answer = buildSdp(call, 'callee', 1);
  add({ us: call.inviteUs, from: 'caller', message: 'INVITE', cseq: 1, text: buildInvite(call, { cseq: 1, sdp: offer, inDialog: false }) });
  const response = (status: number, reason: string, withToTag: boolean, sdp?: string): string =>
    buildResponse(call, { status, reason, cseq: 1, method: 'INVITE', requestFrom: 'caller', withToTag, ...(sdp !== undefined ? { sdp } : {}) });
  add({ us: call.inviteUs + 10_000, from: 'callee', message: '100', cseq: 1, text: response(100, 'Trying', false) });
  add({ us: call.inviteUs + 40_000, from: 'callee', message: '180', cseq: 1, text: response(180, 'Ringing', true) });
  add({ us: call.answerUs, from: 'callee', message: '200', cseq: 1, text: response(200, 'OK', true, answer) });
  add({ us: call.ackUs, from: 'caller', message: 'ACK', cseq: 1, text: buildAck(call, 1) });

  const r = call.renegotiation;
  let callerCseq = 1;
  if (r) {
    callerCseq = RENEGOTIATION_CSEQ;
    const change = r.kind === 'disable-video' ? { disabledMid: r.mid } : { removedAptMid: r.mid };
    const reOffer = buildInvite(call, { cseq: callerCseq, sdp: buildSdp(call, 'caller', 2, change), inDialog: true });
    const refused = r.kind === 'refused';
    const reAnswer = refused
      ? buildResponse(call, {
          status: 488,
          reason: 'Not Acceptable Here',
          cseq: callerCseq,
          method: 'INVITE',
          requestFrom: 'caller',
          withToTag: true,
          extraHeaders: [AIPREF_REFUSAL_WARNING],
        })
      : buildResponse(call, {
          status: 200,
          reason: 'OK',
          cseq: callerCseq,
          method: 'INVITE',
          requestFrom: 'caller',
          withToTag: true,
          sdp: buildSdp(call, 'callee', 2, change),
        });
    const answerMessage = refused ? '488' : '200';
    const ack = buildAck(call, callerCseq, refused ? 'failure' : 'success');
    add({ us: r.offerUs, from: 'caller', message: 'INVITE', cseq: callerCseq, text: reOffer, renegotiation: 'offer' });
    add({ us: r.answerUs, from: 'callee', message: answerMessage, cseq: callerCseq, text: reAnswer, renegotiation: 'answer' });
    add({ us: r.ackUs, from: 'caller', message: 'ACK', cseq: callerCseq, text: ack, renegotiation: 'ack' });
    if (r.retransmitUs !== null) {
      const copy = { cseq: callerCseq, retransmission: true, renegotiation: 'retransmit' as const };
      add({ us: r.retransmitUs, from: 'caller', message: 'INVITE', text: reOffer, ...copy });
      add({ us: r.retransmitUs + 10_000, from: 'callee', message: answerMessage, text: reAnswer, ...copy });
    }
  }
  const byeCseq = call.byeFrom === 'caller' ? callerCseq + 1 : 1;
  add({ us: call.byeUs, from: call.byeFrom, message: 'BYE', cseq: byeCseq, text: buildBye(call, call.byeFrom, byeCseq) });
  const byeOk = buildResponse(call, {
    status: 200,
    reason: 'OK',
    cseq: byeCseq,
    method: 'BYE',
    requestFrom: call.byeFrom,
    withToTag: true,
  });
  add({ us: call.byeUs + 15_000, from: call.byeFrom === 'caller' ? 'callee' : 'caller', message: '200', cseq: byeCseq, text: byeOk });
  return out.sort((a, b) => a.us - b.us);
}
