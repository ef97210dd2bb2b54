/** Shared pieces of the renegotiation review's tests: a two-party call A (10.0.0.1:4000, SSRC 111) ↔ B (10.0.0.2:5000, SSRC 222), one audio m-section mid "a". */
import { expect } from 'vitest';
import { policyOf } from '../e2e-helpers.js';
import { A, B, type Leg, type Outcome, req, res, sdpAudio, srPkt } from '../dialog-lifecycle/lifecycle-helpers.js';

export const leg: Leg = { callId: 'reneg-review@10.0.0.1', caller: A, callee: B, fromTag: 'f1' };
export const sdpA = (lines: string[], session: string[] = []): string => sdpAudio(A.ip, 4000, ['a=mid:a', 'a=ssrc:111 cname:a', ...lines], A.ip, session);
export const sdpB = (lines: string[] = [], session: string[] = []): string => sdpAudio(B.ip, 5000, ['a=mid:a', 'a=ssrc:222 cname:b', ...lines], B.ip, session);
/** an SR of A's audio stream, RTCP port to RTCP port */
export const srA = () => srPkt(A.ip, 4001, B.ip, 5001, 111);
/** INVITE (A's SDP with `lines`), 200, ACK: frames 1-3 */
export const setUp = (lines: string[], session: string[] = [], headers: string[] = []) => [
  req(leg, 'INVITE', 1, null, sdpA(lines, session), { headers }),
  res(leg, '200 OK', 1, 'INVITE', 't1', sdpB()),
  req(leg, 'ACK', 1, 't1'),
];
export const REFUSED = ['Warning: 399 aipref "Preference unsupported"'];
export const POL = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
  },
});
/** 0 and 2 workers gave the same lines */
export function sameWithWorkers(o: Outcome): void {
  expect(o.w2).toEqual(o.w0);
}
