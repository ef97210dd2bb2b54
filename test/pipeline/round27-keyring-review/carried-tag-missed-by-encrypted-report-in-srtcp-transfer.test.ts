/**
 * Review of 5c2ff42 (SRTCP keyring on the main thread), round 27 — fixed since (the commit after it).
 *
 * Input: call c1, RTP/SAVP, A (10.0.0.1:4000) and B (10.0.0.2:5000) each with an a=crypto key,
 *   a=aipref:session apt-raw (frames 1–3, t=0); A's SRTCP SR(1111) (frame 4, t=1); SIP BYE/200
 *   (frames 5–6, t=10); at t=11 A's SRTCP SR(1111) + SDES{1111: PRIV aipref=apt-none} under its
 *   key (frame 7: after the BYE, read unbound, its tag noted from the plaintext — the case
 *   5c2ff42 fixed); a transfer, call c2 on the same addresses and keys (frames 8–10, t=12); then
 *   the first packet of c2 that names SSRC 1111 is B's SRTCP RR(2222) whose report block is about
 *   1111 (frame 11, t=13, 5001 → 4001), then A's SRTCP SR(1111) (frame 12, t=14). Oracle: the
 *   same capture plain. 0 and 2 workers.
 * Was: plain: frame 11 carries the tag (its report subject 1111 is named) and is dropped —
 *   '11 2222 drop export-none apt-none'. SRTCP: '11 2222 export raw-allowed apt-raw' (telemetry
 *   about the apt-none stream exported raw); the tag is carried only at frame 12, whose sender
 *   SSRC is in clear. UnboundTags.take() → namedBy() decodes the datagram's own bytes as plain
 *   RTCP: of an SRTCP compound only the first header and sender SSRC are in clear, its report
 *   blocks (and SDES chunks, feedback targets) are ciphertext, so a subject is never named.
 * Correct: README (Binding): the first packet a dialog routes on the pair that names a noted SSRC
 *   "RTCP in its SSRC fields: sender, report subject, SDES chunk, BYE, feedback or XR target"
 *   brings its tags "as if that packet had repeated them", and since 5c2ff42 "a call that reuses
 *   the addresses gets them as from plain RTCP"; SPEC §2.4 (tags never relax signaling): frame 11
 *   is dropped, apt-none, as in the plain capture.
 * Fix: replay-engine.ts carryTags()/UnboundTags.take(): for a routed RTCP datagram that does not
 *   chain, name the SSRCs of the plaintext the core will read — decrypt it with
 *   keyring.keysOf(route, keyring.sectionsOf(route)) as MediaCore.readRtcp does (the keyring is
 *   on the main thread now) and pass those bytes to namedBy.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { at, calls, kA, kB, rrIn, run, sdesTag, srIn } from './flows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';

function flow(secure: boolean) {
  const c = calls(secure);
  const call = (id: string, t: number) => c.setup(id, t, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB));
  return [
    ...call('c1', 0), // 1-3
    c.rtcp(1, A, 4001, B, 5001, kA, [srIn(1111)]), // 4
    ...c.bye('c1', 10, 2), // 5-6
    c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 7: after the BYE
    ...call('c2', 12), // 8-10: the transfer
    c.rtcp(13, B, 5001, A, 4001, kB, [rrIn(2222, 1111)]), // 11: B reports on 1111
    c.rtcp(14, A, 4001, B, 5001, kA, [srIn(1111)]), // 12
  ];
}

describe('SRTCP tag after the BYE, then a transfer whose first word on the SSRC is an SRTCP report about it', () => {
  it('carries the tag at that report, as the plain capture does', async () => {
    const plain = await run(ws, 'rr-plain', flow(false));
    const secure = await run(ws, 'rr-srtcp', flow(true));
    expect(at(plain, 7)).toEqual(['7 1111 drop export-none apt-none', '7 1111 drop export-none apt-none']);
    expect(at(plain, 11)).toEqual(['11 2222 drop export-none apt-none']);
    expect(at(secure, 7)).toEqual(at(plain, 7));
    expect(at(secure, 11)).toEqual(at(plain, 11));
    expect(at(secure, 12)).toEqual(at(plain, 12));
    expect(secure.exports.filter((e) => e.dialog?.callId === 'c2')).toEqual([]);
  });
});
