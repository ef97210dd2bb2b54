/**
 * Review of 5c2ff42 (SRTCP keyring on the main thread), round 27 — fixed since (the commit after it).
 *
 * Input: call c1, RTP/SAVP, A (10.0.0.1:4000) and B (10.0.0.2:5000) each with an a=crypto key,
 *   a=aipref:session apt-raw (frames 1–3, t=0); A's SRTCP SR(1111) in the call (frame 4, t=1);
 *   SIP BYE/200 (frames 5–6, t=10); at t=11 A's SRTCP SR(1111) + SDES{1111: CNAME, PRIV
 *   aipref=apt-none} on 4001 → 5001 under its key (frame 7), and at t=11.01 the byte-identical
 *   datagram again (frame 8: a mirror of both ports of the link). Oracle: the same capture plain
 *   (RTP/AVP, no a=crypto, plain compounds). 0 and 2 workers.
 * Was: the plain capture decides frame 7 (two items, drop apt-none) and counts frame 8 as a copy
 *   (no decision lines); the SRTCP capture decides frame 8 again ('8 1111 drop export-none
 *   apt-none' twice) and counts its items twice in the telemetry totals: replay-engine.ts media()
 *   checks rtcpCopies.isCopy only for compounds that chain as RTCP (or are routed, or cut); the
 *   after-BYE SRTCP compound, which the cores decrypt with the ended dialog's kept keys and read,
 *   goes to the shard every time.
 * Correct: README (RTCP copies): "a byte-identical RTCP compound on the same transport within
 *   50 ms is taken for a copy — counted, not decided or exported again"; README (Secure RTP): an
 *   SRTCP compound after the BYE "is decrypted with that sender's keys and read as its plain copy
 *   would be": frame 8 is a copy, as in the plain capture (same decisions, same telemetry totals,
 *   same rtcp count).
 * Fix: replay-engine.ts media(): in the `keyring.afterEnd` branch, once `plain` is not null (the
 *   cores will read it), run rtcpCopies.isCopy on the datagram (its transport as above) and return
 *   when it is a copy, as for a compound that chains.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { calls, kA, kB, run, sdesTag, srIn } from './flows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';

function flow(secure: boolean) {
  const c = calls(secure);
  const late = c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]);
  return [
    ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
    c.rtcp(1, A, 4001, B, 5001, kA, [srIn(1111)]), // 4
    ...c.bye('c1', 10, 2), // 5-6
    late, // 7
    { ...late, ts: 11.01 }, // 8: the mirror's copy
  ];
}

describe('a mirrored copy of SRTCP sent after the SIP BYE', () => {
  it('is counted as a copy, not decided again, as its plain copy is', async () => {
    const plain = await run(ws, 'copy-plain', flow(false));
    const secure = await run(ws, 'copy-srtcp', flow(true));
    // the oracle
    expect(plain.d.filter((d) => d.startsWith('8 '))).toEqual([]);
    expect(plain.d.filter((d) => d.startsWith('7 '))).toEqual(['7 1111 drop export-none apt-none', '7 1111 drop export-none apt-none']);
    // the SRTCP capture, read as the plain one
    expect(secure.d.filter((d) => d.startsWith('7 '))).toEqual(plain.d.filter((d) => d.startsWith('7 ')));
    expect(secure.d.filter((d) => d.startsWith('8 '))).toEqual([]);
    expect(secure.summary.telemetry).toEqual(plain.summary.telemetry);
    expect(secure.summary.rtcp).toBe(plain.summary.rtcp);
  });
});
