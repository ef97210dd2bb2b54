/**
 * Found by a review of the SRTCP rules, fixed since. Best-effort SDES-SRTP: the offer AND the
 * answer carry a=crypto on RTP/AVP(F), every RTCP compound is SRTCP under the right key, every
 * third one cut by the capture's snap length (its last 6 bytes: most of the tag). Was: such a
 * section counted as "keys on a plain profile", so a compound no key authenticated was read as
 * malformed plain RTCP — each cut one's first packet (clear header, encrypted body) decided as
 * an SR/RR of ciphertext report blocks (18 decisions, noise folded into exported aggregates), and
 * reported as "length-past-end"/"bad-version"; with keys the capture missed (a re-key's SDP), all
 * 54. Once the answer carries a=crypto the session is SRTP (RFC 4568 §5.1.1): its RTCP is SRTCP,
 * judged as on RTP/SAVP (NegotiatedSection.srtp); a cut one is reported cut and not read.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_POLICY, Workspace } from './e2e-helpers.js';
import { isRtcp, reportsOf, rewrite, srtcp, withCrypto } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('best-effort SRTP (a=crypto in offer and answer on RTP/AVP): SRTCP cut by the snap length', () => {
  it('is not read as plain RTCP: none of its ciphertext decided, each reported cut (0 and 2 workers)', async () => {
    const policy = await loadPolicyFile(SMALL_POLICY);
    let n = 0;
    const cutFrames: number[] = [];
    const capture = await rewrite(ws, 'be-cut.pcap', {
      sdp: (body, _s, side) => withCrypto(body, `1 AES_CM_128_HMAC_SHA1_80 inline:${side.key}|2^31`),
      rtcp: (_f, u, side) => ({ ...u, payload: srtcp(u.payload, side.m, ++side.index) }),
      cut: (f, _u, o) => (isRtcp(o.payload) && n++ % 3 === 0 ? (cutFrames.push(f), 6) : 0),
    });
    expect(cutFrames.length).toBe(18);
    for (const workers of [0, 2]) {
      const run = await replayLines({ capture, policy, workers });
      // Was: 18 decisions, one per cut frame (its first packet's ciphertext as report blocks)
      expect(parseLines<{ frame: number }>(run.decisions).filter((d) => cutFrames.includes(d.frame))).toEqual([]);
      const cutReports = reportsOf(run, 'malformed-input').filter((r) => cutFrames.includes(r.frame));
      expect(cutReports).toHaveLength(18);
      for (const r of cutReports) expect(r.detail).toMatch(/SRTCP of \d+ bytes cut by the capture's snap length/);
    }
  });
});
