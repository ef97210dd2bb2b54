/**
 * Review of 7e09ab5 (SRTCP after a dialog's end, four fixes of round27-keyring-review), round 27 (2) — fixed since
 * (SrtcpKeyring.decrypt: a routed compound the route's keys do not fit is tried with the sender's ended keys).
 * The fault predates 7e09ab5: the ended keys of 5c2ff42 are tried only off every transport.
 *
 * Input: call c1, RTP/SAVP, A (10.0.0.1:4000, a=crypto kA) and B (10.0.0.2:5000, kB),
 *   a=aipref:session apt-raw (frames 1–3, t=0); SIP BYE/200 (frames 4–5, t=10); at t=10.5 a new
 *   call c2 on the same addresses, each side with a fresh a=crypto key (A kA2, B kC), as SDES
 *   stacks make one per offer (frames 6–8); at t=11 A's RTCP BYE-time compound for c1, SR(1111) +
 *   SDES{1111: CNAME, PRIV aipref=apt-none}, 4001 → 5001, SRTCP under c1's key kA (frame 9: within
 *   the 30 s its keys are kept); at t=13 A's SRTCP SR(1111) in c2 under kA2 (frame 10).
 *   Oracle: the same capture plain (RTP/AVP, no a=crypto). 0 and 2 workers (flows.run).
 * Was: plain: frame 9 is read (c2 routes A's address: it is read there, a binding-conflict, both
 *   items dropped apt-none) and frame 10 is dropped (apt-none). SRTCP: frame 9 is routed to c2,
 *   whose keys (kA2, kC, no former ones: another dialog) do not authenticate it, so it is reported
 *   `encrypted-rtcp` "no a=crypto key authenticates it" and not read; the kept keys of c1's sender
 *   (EndedSrtcpKeys, SrtcpKeyring.afterEnd) are tried only where no dialog routes the compound
 *   (MediaCore.rtcp's entry === undefined branch). The tag is lost and frame 10 is exported
 *   '10 1111 export raw-allowed apt-raw' — telemetry of a stream whose own sender said apt-none.
 * Correct: README (Secure RTP): "A BYE ends a dialog's bindings, not its senders' keys (RFC 3711
 *   §3.2): for 30 s of capture time after it, an SRTCP compound from one of its senders'
 *   addresses … is decrypted with that sender's keys and read as its plain copy would be" — the
 *   plain copy is read in c2; SPEC §2.4 (an SDES PRIV tag binds its SSRC, tags never relax
 *   signaling): frames 9 and 10 dropped apt-none, as in the plain capture; nothing of c2 exported.
 * Fix: MediaCore.readRtcp: on a routed transport, where no key of the route authenticates the
 *   compound, try the kept keys of its sender's address (keyring.afterEnd(senderAddress(…))) before
 *   reporting it encrypted, and read the plaintext there; SrtcpKeyring.plaintextOn the same, so the
 *   main thread names its SSRCs from that plaintext too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { at, calls, kA, kA2, kB, kC, run, sdesTag, srIn } from '../round27-keyring-review/flows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';

function flow(secure: boolean) {
  const c = calls(secure);
  return [
    ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
    ...c.bye('c1', 10, 2), // 4-5
    ...c.setup('c2', 10.5, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kC)), // 6-8: fresh keys
    c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 9: c1's key
    c.rtcp(13, A, 4001, B, 5001, kA2, [srIn(1111)]), // 10: c2's key
  ];
}

describe("SRTCP under an ended dialog's kept keys, once a new call routes its sender's address", () => {
  it('is decrypted and read as its plain copy is, its tag honoured', async () => {
    const plain = await run(ws, 'routed-plain', flow(false));
    const secure = await run(ws, 'routed-srtcp', flow(true));
    expect(at(plain, 9)).toEqual(['9 1111 drop export-none apt-none', '9 1111 drop export-none apt-none']);
    expect(at(plain, 10)).toEqual(['10 1111 drop export-none apt-none']);
    expect(secure.r.filter((r) => r.includes('encrypted-rtcp'))).toEqual([]);
    expect(at(secure, 9)).toEqual(at(plain, 9));
    expect(at(secure, 10)).toEqual(at(plain, 10));
    expect(secure.exports.filter((e) => e.dialog?.callId === 'c2')).toEqual([]);
  });
});
