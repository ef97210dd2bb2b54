/**
 * Review of a04a427 (routed SRTCP the route's keys do not fit is tried with the sender's ended
 * keys), round 27 (3) — fixed since: MediaCore.readRtcp and SrtcpKeyring.plaintextOn try the
 * sender's kept keys on a plain transport too, and report a cut one as on a secure profile.
 *
 * Input: call c1, RTP/SAVP, A (10.0.0.1:4000, a=crypto kA) and B (10.0.0.2:5000, kB),
 *   a=aipref:session apt-raw (frames 1–3, t=0); SIP BYE/200 (frames 4–5, t=10); at t=10.5 a new
 *   call c2 on the same addresses, plain RTP/AVP without a=crypto (the same phones, fixed media
 *   ports, this time a call without SRTP), a=aipref:session apt-raw (frames 6–8); at t=11 A's
 *   RTCP BYE-time compound for c1, SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none},
 *   4001 → 5001, SRTCP under c1's key kA (frame 9, within the 30 s its keys are kept); at t=13
 *   A's plain SR(1111) in c2 (frame 10). Oracle: the same capture with c1 plain too (its frame 9
 *   a plain compound). 0 and 2 workers (flows.run).
 * Was: plain: frame 9 read in c2 (binding-conflict, both items dropped apt-none), frame 10
 *   dropped apt-none. SRTCP: frame 9 is routed to c2, whose transport is Srtcp.NO, so
 *   MediaCore.readRtcp never reaches keyring.decrypt (nor does SrtcpKeyring.plaintextOn on the
 *   main thread): the ciphertext is read as plain RTCP — '9 1111 export raw-allowed apt-raw'
 *   (telemetry decoded from encrypted sender info, exported), a malformed-input of noise
 *   ("rtcp bad-version at byte 28"), the apt-none tag lost — and '10 1111 export raw-allowed
 *   apt-raw': the stream whose sender said apt-none exported raw (privacy).
 * Correct: README (Secure RTP): for 30 s after the BYE "an SRTCP compound from one of its senders'
 *   addresses … is decrypted with that sender's keys and read as its plain copy would be, off
 *   every transport (unbound), or in the new call that routes the address by then, where that
 *   call's own keys do not fit it" — a plain call has none that fit; read as plain it "would be
 *   noise". SPEC §2.4 (a PRIV tag binds its SSRC, tags never relax signaling): frames 9 and 10
 *   decided as in the plain capture, nothing of c2 exported, no malformed-input.
 * Fix: MediaCore.readRtcp: where the route is Srtcp.NO but the compound may be encrypted
 *   (mayBeEncrypted) and its sender's address has ended keys kept, try keyring.decrypt(…, [], …)
 *   and read the plaintext (a cut one: keyring.cutAfterEnd, reported cut); SrtcpKeyring.plaintextOn
 *   the same instead of returning null for Srtcp.NO, so the main thread names the same SSRCs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { sdpAt } from '../../e2e/port-reuse-review/common.js';
import { at, calls, kA, kA2, kB, run, sdesTag, srIn } from '../round27-keyring-review/flows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';
const plainSdp = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-raw']);

function flow(secureC1: boolean) {
  const c = calls(secureC1);
  const p = calls(false);
  return [
    ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
    ...c.bye('c1', 10, 2), // 4-5
    ...p.setup('c2', 10.5, plainSdp(A, 4000), plainSdp(B, 5000)), // 6-8: plain RTP/AVP
    c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 9: c1's late SRTCP under kA
    p.rtcp(13, A, 4001, B, 5001, kA2, [srIn(1111)]), // 10: c2's plain SR
  ];
}

describe("SRTCP under an ended dialog's kept keys, routed by a new plain RTP/AVP call on the same addresses", () => {
  it('is decrypted and read as its plain copy is, not read as plain noise', async () => {
    const plain = await run(ws, 'plain-c2-oracle', flow(false));
    const secure = await run(ws, 'plain-c2-srtcp', flow(true));
    expect(at(plain, 9)).toEqual(['9 1111 drop export-none apt-none', '9 1111 drop export-none apt-none']);
    expect(at(plain, 10)).toEqual(['10 1111 drop export-none apt-none']);
    expect(secure.r.filter((r) => r.includes('malformed-input'))).toEqual([]);
    expect(at(secure, 9)).toEqual(at(plain, 9));
    expect(at(secure, 10)).toEqual(at(plain, 10));
    expect(secure.exports.filter((e) => e.dialog?.callId === 'c2')).toEqual([]);
    expect(secure.summary.telemetry).toEqual(plain.summary.telemetry);
  });
});
