/**
 * Found by a review of renegotiation and its reports (SPEC §5, §6), fixed since (see Fix).
 *
 * Input: a call A→B, A's m-section under a=aipref:mid apt-raw. A's re-INVITE (CSeq 2, frame 5)
 * repeats the SDP; the capture, taken on the proxy 10.0.0.9, then sees the proxy's copy of it
 * forwarded to B (frame 6: the proxy's Via on top, same CSeq and SDP) carrying one more value,
 * `AI-Pref: apt-none;scope=media`, that the proxy inserted (the domain's preference). B's 200
 * (frame 8) and the ACK (9). SRs of A's stream at 4, 7 (offer pending), 10 (after the answer).
 *
 * Was: "7 export raw-allowed [apt-raw]" and "10 export raw-allowed [apt-raw]", no report:
 * OfferAnswerState.offer() takes the same transaction's offer with an SDP already seen for a
 * repeat (returns null) and never reads that copy's AI-Pref values — the restriction is lost.
 *
 * Correct: the copy is not an identical message (SPEC §5 idempotency covers "a retransmitted or
 * repeated identical message" only); its AI-Pref values belong to the offer (seed §5.1.1: the
 * AI-Pref of a re-INVITE states the preference scope of the media), apt-none;scope=media governs
 * the m-section, a restriction: in force from the offer (frame 7 drop export-none) and after the
 * answer (frame 10 drop export-none).
 *
 * Fix: src/signaling/offer-answer.ts OfferAnswerState.offer(): for the pending offer's own
 * transaction, when the copy's SDP was seen but its AI-Pref values add to the offer's
 * (facts.aiPref not null and not already in p.headers), merge them into p.headers and return a
 * proposal (dialogs.ts onInitialInvite takes the same path for an initial INVITE's copy).
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, decided, req, res, run, sipBytes } from '../dialog-lifecycle/lifecycle-helpers.js';
import { leg, POL, sameWithWorkers, sdpA, sdpB, setUp, srA } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it("a proxy's copy of a re-INVITE adding a restricting AI-Pref value is not dropped as a repeat", async () => {
  const sdp = sdpA(['a=aipref:mid apt-raw']);
  const head = (extra: string[]) => [
    `INVITE sip:b@${B.ip} SIP/2.0`,
    ...extra,
    `Via: SIP/2.0/UDP ${A.ip}:5060;branch=z9hG4bK-reneg-review-2`,
    `From: <sip:a@${A.ip}>;tag=f1`,
    `To: <sip:b@${B.ip}>;tag=t1`,
    `Call-ID: ${leg.callId}`,
    'CSeq: 2 INVITE',
    `Contact: <sip:a@${A.ip}:5060>`,
  ];
  const original = { src: A.ip, dst: '10.0.0.9', sport: 5060, dport: 5060, payload: sipBytes(head([]), sdp) };
  const copy = { src: '10.0.0.9', dst: B.ip, sport: 5060, dport: 5060, payload: sipBytes([...head(['Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-proxy-2']), 'AI-Pref: apt-none;scope=media'], sdp) };
  const o = await run(ws, [
    ...setUp(['a=aipref:mid apt-raw']),
    srA(), // 4
    original, // 5
    copy, // 6
    srA(), // 7
    res(leg, '200 OK', 2, 'INVITE', 't1', sdpB(), { branch: 'z9hG4bK-reneg-review-2' }), // 8
    req(leg, 'ACK', 2, 't1'), // 9
    srA(), // 10
  ], POL);
  sameWithWorkers(o);
  expect(decided(o).map((l) => l.split(' [')[0])).toEqual(['4 export raw-allowed', '7 drop export-none', '10 drop export-none']);
});
