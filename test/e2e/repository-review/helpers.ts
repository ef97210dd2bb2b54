/**
 * Shared pieces of the repository review (SPEC §2.6, §7.2 of the seed, §9 `dialogs`/`default`):
 * the hand-built two-party call of test/e2e/hand-built-calls.ts (A 10.0.0.1 audio 4000 SSRC 1111,
 * B 10.0.0.2 audio 5000 SSRC 2222, tags aaa/bbb, Call-ID CALL), plus requests B sends (From/To
 * swapped, RFC 3261 §12.2.1.1) and the answers A gives them.
 */
import { CALL, sip } from '../hand-built-calls.js';

export const APTS = {
  'apt-raw': { type: 'domain', export: 'raw', retention: '1h' },
  'apt-agg': { type: 'domain', export: 'aggregated-only', retention: '1h' },
  'apt-none': { type: 'domain', export: 'none', retention: '1h' },
  'apt-user-raw': { type: 'user', export: 'raw', retention: '1h' },
  'apt-reg-agg': { type: 'regulatory', export: 'aggregated-only', retention: '15m' },
};

/** A request B (the callee, tag bbb) sends within the dialog: From carries B's tag, To A's. */
export const fromB = (method: string, cseq: number, sdp: string | null): Uint8Array =>
  sip(
    [`${method} sip:a@10.0.0.1 SIP/2.0`, `Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKb${method}${cseq}`, 'From: <sip:b@10.0.0.2>;tag=bbb', 'To: <sip:a@10.0.0.1>;tag=aaa', `Call-ID: ${CALL}`, `CSeq: ${cseq} ${method}`, 'Contact: <sip:b@10.0.0.2:5060>'],
    sdp,
  );

/** A's response to a request of B's. */
export const answerToB = (status: string, cseq: number, method: string, sdp: string | null): Uint8Array =>
  sip(
    [`SIP/2.0 ${status}`, `Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKb${method}${cseq}`, 'From: <sip:b@10.0.0.2>;tag=bbb', 'To: <sip:a@10.0.0.1>;tag=aaa', `Call-ID: ${CALL}`, `CSeq: ${cseq} ${method}`, 'Contact: <sip:a@10.0.0.1:5060>'],
    sdp,
  );
