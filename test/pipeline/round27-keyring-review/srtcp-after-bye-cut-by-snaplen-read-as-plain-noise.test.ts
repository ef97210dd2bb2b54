/**
 * Review of 5c2ff42 (SRTCP keyring on the main thread), round 27 — fixed since (the commit after it).
 *
 * Input: call c1, RTP/SAVP, A (10.0.0.1:4000) and B (10.0.0.2:5000) each with an a=crypto key,
 *   a=aipref:session apt-raw (frames 1–3, t=0); A's SRTCP SR(1111) (frame 4, t=1); SIP BYE/200
 *   (frames 5–6, t=10); at t=11, within the 30 s its keys are kept, A's SRTCP compound
 *   SR(1111, a report block on 2222) + SDES{1111: PRIV aipref=apt-none} on 4001 → 5001 under its
 *   key, cut by the capture's snap length (the record's last 6 bytes — most of the tag — not
 *   captured; origLen says the full length) (frame 7). 0 and 2 workers.
 * Was: MediaCore.rtcp tries the ended dialog's keys only when cut === 0; a cut compound off every
 *   transport goes on to readRtcp as plain RTCP, and so does the main thread (replay-engine.ts
 *   media(): payloadCut > 0 → readAsRtcp, unboundTags.note of the ciphertext). The ciphertext is
 *   read as telemetry: a decision for SR(1111) from encrypted sender info ('7 1111 drop
 *   no-preference'), a malformed-input of noise ('rtcp bad-version at byte 52: RTCP version 3,
 *   expected 2'), and an unbound stream made (and reported) for an SSRC read from the encrypted
 *   report block, one nobody sends.
 * Correct: README (Secure RTP): an SRTCP compound from an ended dialog's sender within 30 s "is
 *   decrypted with that sender's keys and read as its plain copy would be"; one the snap length
 *   cut cannot be decrypted (its tag is not captured) and, as on the call's transport, "is not
 *   read … reported cut (`malformed-input`, "SRTCP … cut by the capture's snap length … not
 *   decrypted")" — never read as plain noise (README: read as RTCP, SRTCP "would be noise
 *   (report blocks of random losses and jitters, SSRCs nobody sends)").
 * Fix: MediaCore.rtcp: for a cut compound no dialog routes whose sender's address has ended keys
 *   kept (SrtcpKeyring: expose the kept keys for an address) and whose captured packets do not
 *   chain as RTCP, report it as an SRTCP compound cut by the snap length (as readRtcp does on a
 *   secure transport, maybeSrtcp(len + cut, keys)) and read nothing; the main thread
 *   (replay-engine.ts media()) then does not note it (readAsRtcp false) by the same test.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { at, calls, kA, kB, run, sdesTag, srIn } from './flows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';

describe('SRTCP sent after the SIP BYE under the ended dialog keys, cut by the snap length', () => {
  it('is reported cut and not read, never read as plain RTCP', async () => {
    const c = calls(true);
    const late = c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111, 2222), sdesTag(1111, 'apt-none')]);
    const o = await run(ws, 'cut-after-bye', [
      ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
      c.rtcp(1, A, 4001, B, 5001, kA, [srIn(1111)]), // 4
      ...c.bye('c1', 10, 2), // 5-6
      { ...late, cut: 6 }, // 7
    ]);
    expect(at(o, 4)).toEqual(['4 1111 export raw-allowed apt-raw']);
    // no telemetry read from ciphertext
    expect(at(o, 7)).toEqual([]);
    const reports = o.r.filter((r) => r.startsWith('7 '));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^7 malformed-input frame 7: rtcp snaplen-cut at byte 0: SRTCP of \d+ bytes cut by the capture's snap length after \d+: its tag not captured, not decrypted$/);
  });
});
